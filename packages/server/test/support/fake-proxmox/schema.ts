import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkFormat } from './formats.js';

/**
 * The official Proxmox VE 9.1.3 API schema, read from the shared test data at test time (it
 * is AGPL test data: never copied into the repository), and a checker of requests against it.
 */
export const SCHEMA_PATH = fileURLToPath(
  new URL('../../../../../../shared/proxmox/pve-api-schema.json', import.meta.url),
);

export interface ParamSchema {
  type?: string;
  optional?: number;
  format?: string | Record<string, ParamSchema & { default_key?: number; alias?: string }>;
  pattern?: string;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  requires?: string;
  default?: unknown;
  default_key?: number;
  alias?: string;
}

export interface MethodSchema {
  allowtoken?: number;
  parameters?: { additionalProperties?: number; properties?: Record<string, ParamSchema> };
}

interface SchemaNode {
  path: string;
  info?: Record<string, MethodSchema>;
  children?: SchemaNode[];
}

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
  info: Record<string, MethodSchema>;
}

export interface Match {
  template: string;
  method: MethodSchema;
  pathParams: Record<string, string>;
}

export class ApiSchema {
  private readonly routes: Route[] = [];

  constructor(file = SCHEMA_PATH) {
    const roots = JSON.parse(readFileSync(file, 'utf8')) as SchemaNode[];
    const walk = (node: SchemaNode) => {
      if (node.info) {
        const names: string[] = [];
        const source = node.path
          .split('/')
          .map((segment) => {
            const param = /^\{(.+)\}$/.exec(segment);
            if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            names.push(param[1] as string);
            return '([^/]+)';
          })
          .join('/');
        this.routes.push({
          template: node.path,
          pattern: new RegExp(`^${source}$`),
          names,
          info: node.info,
        });
      }
      node.children?.forEach(walk);
    };
    roots.forEach(walk);
  }

  /** The schema path and method a request falls under, or why none does. */
  match(method: string, path: string): Match | string {
    // Fixed segments win over parameters (`/nodes/{node}/qemu` before `/nodes/{node}/{x}`).
    const candidates = this.routes
      .filter((route) => route.pattern.test(path))
      .sort((a, b) => a.names.length - b.names.length);
    const route = candidates[0];
    if (!route) return `no path in the schema matches ${path}`;
    const info = route.info[method];
    if (!info)
      return `${route.template} has no ${method} (it has ${Object.keys(route.info).join(', ')})`;
    const values = route.pattern.exec(path)?.slice(1) ?? [];
    const pathParams: Record<string, string> = {};
    route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(values[i] ?? '')));
    return { template: route.template, method: info, pathParams };
  }
}

/** Every way `params` (as the node receives them: text) break the method's parameter schema. */
export function checkParams(method: MethodSchema, params: Record<string, string>): string[] {
  const properties = method.parameters?.properties ?? {};
  const violations: string[] = [];
  const schemaOf = (name: string): ParamSchema | undefined =>
    properties[name] ?? properties[name.replace(/\d+$/, '[n]')];
  for (const [name, value] of Object.entries(params)) {
    const schema = schemaOf(name);
    if (!schema) {
      if (method.parameters?.additionalProperties !== 1) {
        violations.push(`${name}: property is not defined in schema`);
      }
      continue;
    }
    violations.push(...checkValue(name, schema, value));
    if (schema.requires && params[schema.requires] === undefined) {
      violations.push(`${name}: needs ${schema.requires} as well`);
    }
  }
  for (const [name, schema] of Object.entries(properties)) {
    if (name.endsWith('[n]') || schema.optional === 1) continue;
    if (params[name] === undefined)
      violations.push(`${name}: property is missing and it is not optional`);
  }
  return violations;
}

const BOOLEAN = /^(?:1|0|true|false|yes|no|on|off)$/i;

export function checkValue(name: string, schema: ParamSchema, value: string): string[] {
  const type = schema.type ?? 'string';
  const out: string[] = [];
  if (type === 'boolean') {
    if (!BOOLEAN.test(value)) out.push(`${name}: type check ('boolean') failed - got '${value}'`);
    return out;
  }
  if (type === 'integer' || type === 'number') {
    const re = type === 'integer' ? /^-?\d+$/ : /^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
    if (!re.test(value)) return [`${name}: type check ('${type}') failed - got '${value}'`];
    const n = Number(value);
    if (schema.minimum !== undefined && n < Number(schema.minimum)) {
      out.push(`${name}: value must have a minimum value of ${schema.minimum}`);
    }
    if (schema.maximum !== undefined && n > Number(schema.maximum)) {
      out.push(`${name}: value must have a maximum value of ${schema.maximum}`);
    }
    if (typeof schema.format === 'string') out.push(...checkFormat(name, schema.format, value));
    return out;
  }
  if (type !== 'string') return [`${name}: the fake cannot check a ${type} sent as a form field`];
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    out.push(`${name}: value must be at least ${schema.minLength} characters long`);
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    out.push(`${name}: value may only be ${schema.maxLength} characters long`);
  }
  if (schema.enum && !schema.enum.includes(value)) {
    out.push(
      `${name}: value '${value}' does not have a value in the enumeration '${schema.enum.join(', ')}'`,
    );
  }
  if (schema.pattern && !new RegExp(`^(?:${schema.pattern})$`).test(value)) {
    out.push(`${name}: value does not match the regex pattern`);
  }
  if (typeof schema.format === 'string') out.push(...checkFormat(name, schema.format, value));
  else if (schema.format) out.push(...checkPropertyString(name, schema.format, value));
  return out;
}

/** A property string (`[current=]2048`, `key=value,key=value`) against its sub-schema. */
function checkPropertyString(
  name: string,
  format: Record<string, ParamSchema>,
  value: string,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const defaultKey = Object.entries(format).find(([, s]) => s.default_key === 1)?.[0];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    let key = eq < 0 ? defaultKey : part.slice(0, eq);
    const text = eq < 0 ? part : part.slice(eq + 1);
    if (key === undefined) {
      out.push(`${name}: '${part}' names no key and the format has no default key`);
      continue;
    }
    key = format[key]?.alias ?? key;
    const sub = format[key];
    if (!sub) {
      out.push(`${name}: unknown key '${key}'`);
      continue;
    }
    if (seen.has(key)) out.push(`${name}: duplicate key '${key}'`);
    seen.add(key);
    out.push(...checkValue(`${name}.${key}`, sub, text));
  }
  for (const [key, sub] of Object.entries(format)) {
    if (
      sub.optional !== 1 &&
      sub.alias === undefined &&
      sub.default === undefined &&
      !seen.has(key)
    ) {
      out.push(`${name}: property '${key}' is missing`);
    }
  }
  return out;
}

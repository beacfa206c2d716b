import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseMicroNgwee } from './billing/money.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

// a.root-servers.net ... m.root-servers.net (IPv4), where nameserver verification starts.
const IANA_ROOT_SERVERS = [
  '198.41.0.4',
  '170.247.170.2',
  '192.33.4.12',
  '199.7.91.13',
  '192.203.230.10',
  '192.5.5.241',
  '192.112.36.4',
  '198.97.190.53',
  '192.36.148.17',
  '192.58.128.30',
  '193.0.14.129',
  '199.7.83.42',
  '202.12.27.33',
];

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** `host` or `host:port` (IPv4, or [IPv6]:port). */
export interface Endpoint {
  host: string;
  port: number;
}

function parseEndpoints(setting: string, value: string, defaultPort: number): Endpoint[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m =
        /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(item) ??
        /^([0-9a-fA-F:]+)$/.exec(item);
      const host = m?.[1] ?? m?.[2];
      const port = m?.[3] ? Number(m[3]) : defaultPort;
      if (!host || !isIP(host) || port < 1 || port > 65535) {
        throw new ConfigError(
          `Invalid configuration:\n  ${setting}: ${item} is not an IP address, IP:port or [IPv6]:port`,
        );
      }
      return { host, port };
    });
}

function parseHostnames(setting: string, value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  const bad = names.find((n) => !HOSTNAME.test(n));
  if (bad !== undefined || names.length === 0) {
    throw new ConfigError(
      `Invalid configuration:\n  ${setting}: ${bad ?? '(empty)'} is not a hostname such as ns1.example.co.zm`,
    );
  }
  return names;
}

/** Every setting SwiftCloud reads, by its environment variable name. */
const settingsSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  SWIFTCLOUD_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SWIFTCLOUD_DB_POOL_SIZE: int(1, 200).default(10),
  SWIFTCLOUD_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .optional(),
  SWIFTCLOUD_ADMIN_EMAIL: z.email({ message: 'must be an email address' }).optional(),
  SWIFTCLOUD_ADMIN_PASSWORD: z
    .string()
    .min(10, 'must be at least 10 characters')
    .max(256)
    .optional(),
  SWIFTCLOUD_SESSION_IDLE_MINUTES: int(1, 60 * 24 * 30).default(120),
  SWIFTCLOUD_SESSION_MAX_HOURS: int(1, 24 * 365).default(24 * 7),
  SWIFTCLOUD_LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
  SWIFTCLOUD_LOGIN_MAX_FAILURES_PER_IP: int(1, 100000).default(30),
  SWIFTCLOUD_LOGIN_THROTTLE_MINUTES: int(1, 24 * 60).default(15),
  SWIFTCLOUD_TRUST_PROXY: bool.default(false),
  SWIFTCLOUD_DNS_HOST: z.string().min(1).default('127.0.0.1'),
  SWIFTCLOUD_DNS_PORT: int(0, 65535).default(5353),
  SWIFTCLOUD_NAMESERVERS: z.string().default('ns1.swiftcloud.zm,ns2.swiftcloud.zm'),
  SWIFTCLOUD_DNS_HOSTMASTER: z.string().default('hostmaster.swiftcloud.zm'),
  SWIFTCLOUD_DNS_SECONDARIES: z.string().default(''),
  SWIFTCLOUD_DNS_ROOT_SERVERS: z.string().default(IANA_ROOT_SERVERS.join(',')),
  SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE: z
    .string()
    .regex(/^\d{1,7}(\.\d{1,8})?$/, 'must be ZMW per hour with at most 8 places, such as 0.0700')
    .default('0.0700'),
  SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS: z
    .string()
    .regex(/^\d{1,4}(,\d{1,4})*$/, 'must be whole hours separated by commas, such as 72,24,1')
    .default('72,24,1'),
  SWIFTCLOUD_BILLING_GRACE_HOURS: int(0, 24 * 90).default(24),
  SWIFTCLOUD_BILLING_RESTART_ON_TOPUP: bool.default(false),
  SWIFTCLOUD_BILLING_METER_INTERVAL_SECONDS: int(5, 3600).default(60),
  SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_USER: int(1, 100_000).default(20),
  SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_PROJECT: int(1, 100_000).default(10),
  SWIFTCLOUD_TOPUP_THROTTLE_MINUTES: int(1, 24 * 60).default(60),
  SWIFTCLOUD_JOB_CONCURRENCY: int(1, 256).default(8),
  SWIFTCLOUD_RECONCILE_SECONDS: int(5, 86_400).default(60),
  SWIFTCLOUD_SHUTDOWN_TIMEOUT_SECONDS: int(1, 3_600).default(60),
  SWIFTCLOUD_SIMULATOR_DELAYS: z.enum(['default', 'zero']).default('default'),
  SWIFTCLOUD_VM_NAMESERVERS: z
    .string()
    .regex(/^\s*\d{1,3}(\.\d{1,3}){3}(\s*,\s*\d{1,3}(\.\d{1,3}){3})*\s*$/, {
      message: 'must be IPv4 addresses separated by commas, such as 1.1.1.1,8.8.8.8',
    })
    .default('1.1.1.1,8.8.8.8'),
  SWIFTCLOUD_WEB_DIR: z.string().min(1).optional(),
  SWIFTCLOUD_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});

export type Settings = z.infer<typeof settingsSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: the embedded PGlite database under `dataDir`. */
  databaseUrl: string | undefined;
  dbPoolSize: number;
  publicUrl: URL;
  admin: { email: string; password: string } | undefined;
  session: { idleMs: number; absoluteMs: number; cookieName: string; secureCookie: boolean };
  loginThrottle: { maxPerAccount: number; maxPerIp: number; windowMs: number };
  trustProxy: boolean;
  dns: {
    host: string;
    port: number;
    /** The platform's nameservers: every zone's apex NS, and what customers delegate to. */
    nameservers: string[];
    /** The SOA's RNAME, as a hostname (`hostmaster.swiftcloud.zm`). */
    hostmaster: string;
    /** Secondaries allowed to transfer zones (AXFR), and sent a NOTIFY on each change. */
    secondaries: Endpoint[];
    /** Where nameserver verification starts its walk down the tree. */
    rootServers: Endpoint[];
  };
  billing: {
    /** The hourly price of a public IPv4 address, in micro-ngwee. */
    publicIpHourlyPriceMicroNgwee: number;
    /** Hours left at which a low-balance event is recorded, highest first. */
    lowBalanceHours: number[];
    /** How long a project may stay at zero or below before its VMs are suspended. */
    graceMs: number;
    /** Whether a top-up that lifts a suspension starts the suspended VMs again. */
    restartOnTopup: boolean;
    meterIntervalMs: number;
    topupThrottle: { maxPerUser: number; maxPerProject: number; windowMs: number };
  };
  compute: {
    /** Jobs (provisioning, power, deletion) one server runs at once. */
    jobConcurrency: number;
    /** How often the database is compared with every hypervisor. */
    reconcileIntervalMs: number;
    /** How long an ACPI `shutdown` waits before it falls back to `stop`. */
    shutdownTimeoutSec: number;
    /** The simulator's step delays: plausible (`default`) or none (`zero`, for benchmarks). */
    simulatorDelays: 'default' | 'zero';
    /** The resolvers cloud-init gives every VM. */
    vmNameservers: string[];
  };
  logLevel: Settings['SWIFTCLOUD_LOG_LEVEL'];
  /** The web console's built files (index.html and assets/), served at `/`. */
  webDir: string;
}

// packages/server/{src,dist}/config.* -> packages/web/dist, wherever the checkout lives.
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Source = Record<string, string | undefined>;

/**
 * Parses the settings once, from the environment over an optional JSON file named by
 * `SWIFTCLOUD_CONFIG` (keys are the same variable names). A bad value throws a
 * ConfigError naming the setting and what it must be.
 */
export function loadConfig(env: Source = process.env): Config {
  const fromFile = env.SWIFTCLOUD_CONFIG ? readConfigFile(env.SWIFTCLOUD_CONFIG) : {};
  const merged: Source = { ...fromFile };
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = settingsSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const s = parsed.data;
  if ((s.SWIFTCLOUD_ADMIN_EMAIL === undefined) !== (s.SWIFTCLOUD_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  SWIFTCLOUD_ADMIN_EMAIL and SWIFTCLOUD_ADMIN_PASSWORD: set both or neither',
    );
  }
  const publicUrl = new URL(s.SWIFTCLOUD_PUBLIC_URL ?? `http://localhost:${s.PORT}`);
  return {
    port: s.PORT,
    host: s.HOST,
    dataDir: path.resolve(s.SWIFTCLOUD_DATA_DIR),
    databaseUrl: s.DATABASE_URL,
    dbPoolSize: s.SWIFTCLOUD_DB_POOL_SIZE,
    publicUrl,
    admin:
      s.SWIFTCLOUD_ADMIN_EMAIL && s.SWIFTCLOUD_ADMIN_PASSWORD
        ? { email: s.SWIFTCLOUD_ADMIN_EMAIL.toLowerCase(), password: s.SWIFTCLOUD_ADMIN_PASSWORD }
        : undefined,
    session: {
      idleMs: s.SWIFTCLOUD_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: s.SWIFTCLOUD_SESSION_MAX_HOURS * 3_600_000,
      // The __Host- prefix pins the cookie to this exact origin, but browsers accept it only over https.
      cookieName:
        publicUrl.protocol === 'https:' ? '__Host-swiftcloud_session' : 'swiftcloud_session',
      secureCookie: publicUrl.protocol === 'https:',
    },
    loginThrottle: {
      maxPerAccount: s.SWIFTCLOUD_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxPerIp: s.SWIFTCLOUD_LOGIN_MAX_FAILURES_PER_IP,
      windowMs: s.SWIFTCLOUD_LOGIN_THROTTLE_MINUTES * 60_000,
    },
    trustProxy: s.SWIFTCLOUD_TRUST_PROXY,
    dns: {
      host: s.SWIFTCLOUD_DNS_HOST,
      port: s.SWIFTCLOUD_DNS_PORT,
      nameservers: parseHostnames('SWIFTCLOUD_NAMESERVERS', s.SWIFTCLOUD_NAMESERVERS),
      hostmaster: parseHostnames('SWIFTCLOUD_DNS_HOSTMASTER', s.SWIFTCLOUD_DNS_HOSTMASTER)[0]!,
      secondaries: parseEndpoints('SWIFTCLOUD_DNS_SECONDARIES', s.SWIFTCLOUD_DNS_SECONDARIES, 53),
      rootServers: parseEndpoints('SWIFTCLOUD_DNS_ROOT_SERVERS', s.SWIFTCLOUD_DNS_ROOT_SERVERS, 53),
    },
    billing: {
      publicIpHourlyPriceMicroNgwee: parseMicroNgwee(s.SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE)!,
      lowBalanceHours: lowBalanceHours(s.SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS),
      graceMs: s.SWIFTCLOUD_BILLING_GRACE_HOURS * 3_600_000,
      restartOnTopup: s.SWIFTCLOUD_BILLING_RESTART_ON_TOPUP,
      meterIntervalMs: s.SWIFTCLOUD_BILLING_METER_INTERVAL_SECONDS * 1000,
      topupThrottle: {
        maxPerUser: s.SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_USER,
        maxPerProject: s.SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_PROJECT,
        windowMs: s.SWIFTCLOUD_TOPUP_THROTTLE_MINUTES * 60_000,
      },
    },
    compute: {
      jobConcurrency: s.SWIFTCLOUD_JOB_CONCURRENCY,
      reconcileIntervalMs: s.SWIFTCLOUD_RECONCILE_SECONDS * 1000,
      shutdownTimeoutSec: s.SWIFTCLOUD_SHUTDOWN_TIMEOUT_SECONDS,
      simulatorDelays: s.SWIFTCLOUD_SIMULATOR_DELAYS,
      vmNameservers: s.SWIFTCLOUD_VM_NAMESERVERS.split(',').map((a) => a.trim()),
    },
    logLevel: s.SWIFTCLOUD_LOG_LEVEL,
    webDir: s.SWIFTCLOUD_WEB_DIR ? path.resolve(s.SWIFTCLOUD_WEB_DIR) : DEFAULT_WEB_DIR,
  };
}

function lowBalanceHours(value: string): number[] {
  const hours = [...new Set(value.split(',').map(Number))].sort((a, b) => b - a);
  if (hours.some((h) => h < 1)) {
    throw new ConfigError(
      'Invalid configuration:\n  SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS: every threshold must be at least 1 hour',
    );
  }
  return hours;
}

function readConfigFile(file: string): Source {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `SWIFTCLOUD_CONFIG: cannot read ${file} as JSON (${(err as Error).message})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`SWIFTCLOUD_CONFIG: ${file} must hold a JSON object of settings`);
  }
  const out: Source = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in settingsSchema.shape)) {
      throw new ConfigError(`SWIFTCLOUD_CONFIG: ${file} has an unknown setting ${key}`);
    }
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

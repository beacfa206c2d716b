import type { z } from 'zod';

/**
 * Checks a form's body with the contract's own schema before sending it, so the messages a
 * form shows are the API's; answers field name to first message (`items.0.name` for nested).
 */
export function validate<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; data: z.output<S> } | { ok: false; fields: Record<string, string> } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    fields[field] ??= issue.message;
  }
  return { ok: false, fields };
}

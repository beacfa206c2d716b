/** PostgreSQL's SQLSTATE for a unique violation, as both pg and PGlite report it. */
const UNIQUE_VIOLATION = '23505';

/** True when `err` is a unique violation (on `constraint`, when given). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

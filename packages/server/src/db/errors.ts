/** PostgreSQL's SQLSTATE for a unique violation, as both pg and PGlite report it. */
const UNIQUE_VIOLATION = '23505';

/** True when `err` is a unique violation (on `constraint`, when given). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

/** PostgreSQL's SQLSTATE for a foreign key violation (a row still referenced, or a missing one). */
const FOREIGN_KEY_VIOLATION = '23503';

/** True when `err` is a foreign key violation. */
export function isForeignKeyViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION
  );
}

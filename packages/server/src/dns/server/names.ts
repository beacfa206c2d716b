/**
 * Domain name helpers for the server. Names inside the server are absolute, without the
 * trailing dot, and compared in ASCII lowercase (RFC 4343): only A-Z fold, so a label with
 * other bytes never matches by accident.
 */

/** The name as the store keys it: ASCII lowercase, no trailing dot, the root as ''. */
export function canonicalName(name: string): string {
  const trimmed = name === '.' ? '' : name.replace(/\.$/, '');
  return trimmed.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The name one label up (`a.b.c` → `b.c`, `c` → ''), or undefined for the root. */
export function parentName(name: string): string | undefined {
  if (name === '') return undefined;
  const dot = name.indexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1);
}

/** Whether `name` is `ancestor` or lies below it (both canonical). */
export function isAtOrBelow(name: string, ancestor: string): boolean {
  if (ancestor === '') return true;
  return name === ancestor || name.endsWith(`.${ancestor}`);
}

/** The names strictly between `apex` (excluded) and `name` (included), top down. */
export function namesBelow(name: string, apex: string): string[] {
  const out: string[] = [];
  for (let n: string | undefined = name; n !== undefined && n !== apex; n = parentName(n)) {
    out.push(n);
  }
  return out.reverse();
}

/** Where the time comes from, so that expiry and metering can be driven in tests. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** RFC 3339 UTC to the second, as the API shows every time (`2024-01-01T00:00:00Z`). */
export function apiTime(date: Date): string;
export function apiTime(date: Date | null): string | null;
export function apiTime(date: Date | null): string | null {
  return date === null ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How long to wait before the next attempt after a transient failure. */
export interface Backoff {
  /** The wait after the first failure. */
  baseMs: number;
  /** No wait is longer. */
  maxMs: number;
}

/**
 * Exponential backoff with jitter: after failure n (1, 2, ...) the ceiling is
 * base·2^(n−1), capped at max, and the wait is drawn between half the ceiling and the
 * ceiling, so that jobs that failed together (a node down) do not all come back together.
 * `random` returns a number in [0, 1).
 */
export function retryDelayMs(failures: number, backoff: Backoff, random = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

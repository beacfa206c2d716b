import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

const backoff = { baseMs: 1_000, maxMs: 30_000 };

describe('retryDelayMs', () => {
  it('doubles the ceiling with each failure and draws between half of it and all of it', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, backoff, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000,
    ]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, backoff, () => 0.999999))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
  });

  it('never waits longer than the maximum, however many failures', () => {
    expect(retryDelayMs(6, backoff, () => 0.999999)).toBe(30_000);
    expect(retryDelayMs(1_000, backoff, () => 0.999999)).toBe(30_000);
    expect(retryDelayMs(1_000, backoff, () => 0)).toBe(15_000);
  });

  it('spreads jobs that failed together over the interval', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, backoff)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 2_000 && d <= 4_000).toBe(true);
  });
});

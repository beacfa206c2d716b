import { describe, expect, it } from 'vitest';
import { startMetering } from './billing.jobs.js';

const quiet = { info() {}, error() {} };
const run = { hours: 1, charges: 0, ngwee: 0, projects: 0 };

describe('the billing loop', () => {
  it('meters, then applies the policy, at start and on every tick, one run at a time', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let overlapped = false;
    const loop = startMetering({
      meter: {
        async run() {
          inFlight++;
          if (inFlight > 1) overlapped = true;
          log.push('meter');
          await new Promise((r) => setTimeout(r, 15));
          inFlight--;
          return run;
        },
      },
      policy: {
        async enforce() {
          log.push('policy');
        },
      },
      intervalMs: 5,
      logger: quiet,
    });
    await new Promise((r) => setTimeout(r, 120));
    await loop.stop();
    const after = log.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(log.length).toBe(after); // stopped: no more runs
    expect(after).toBeGreaterThanOrEqual(4);
    expect(log.slice(0, 4)).toEqual(['meter', 'policy', 'meter', 'policy']);
    expect(overlapped).toBe(false);
  });

  it('logs a failed run and keeps going', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const loop = startMetering({
      meter: {
        async run() {
          runs++;
          if (runs === 1) throw new Error('database restarting');
          return run;
        },
      },
      policy: { async enforce() {} },
      intervalMs: 5,
      logger: { info() {}, error: (obj) => errors.push(obj) },
    });
    await new Promise((r) => setTimeout(r, 60));
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect(runs).toBeGreaterThan(1);
  });
});

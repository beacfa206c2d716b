import type { Meter } from './meter.js';
import type { BillingPolicy } from './policy.js';

/** Where the loop reports (pino's or Fastify's logger). */
export interface MeteringLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The billing loop of one server: meter every started hour, then apply the zero-balance
 * policy; at start and then every `intervalMs`, one run at a time. Several servers may
 * each run it: the meter's unique charges and advisory lock keep every charge single.
 */
export function startMetering(opts: {
  meter: Pick<Meter, 'run'>;
  policy: Pick<BillingPolicy, 'enforce'>;
  intervalMs: number;
  logger: MeteringLogger;
}): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      const run = await opts.meter.run();
      if (run.charges > 0) opts.logger.info(run, 'metered');
      await opts.policy.enforce();
    } catch (err) {
      // A failed hour is rolled back whole; the next tick looks at it again.
      opts.logger.error({ err }, 'metering failed');
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, opts.intervalMs);
    timer.unref();
  };
  running = tick().then(schedule);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

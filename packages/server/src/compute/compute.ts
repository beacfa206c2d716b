import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Clock } from '../platform/clock.js';
import { JobRunner, runnerId, type JobLogger } from '../platform/jobs/job-runner.js';
import type { Services } from '../app.js';
import { Reconciler } from './vms/reconciler.js';
import { vmJobHandlers } from './vms/vm.jobs.js';

/** The background side of compute: the runner of VM jobs and the reconciler. */
export interface ComputeWorkers {
  runner: JobRunner;
  reconciler: Reconciler;
  stop(): Promise<void>;
}

export interface ComputeWorkerOptions {
  /** How often an idle runner looks for due jobs (default 1 s; announcements wake it sooner). */
  pollIntervalMs?: number;
  /** Start the periodic reconciler (default true). */
  reconcile?: boolean;
}

/** Starts what carries out VM actions and keeps the database true to the hypervisors. */
export async function startComputeWorkers(
  deps: {
    config: Config;
    database: DatabaseHandle;
    clock: Clock;
    services: Services;
    logger?: JobLogger;
  },
  options: ComputeWorkerOptions = {},
): Promise<ComputeWorkers> {
  const { config, database, clock, services } = deps;
  const runner = new JobRunner(
    {
      db: database.db,
      clock,
      owner: runnerId(),
      handlers: vmJobHandlers({
        db: database.db,
        registry: services.hypervisors,
        ipAllocator: services.ipAllocator,
        clock,
        shutdownTimeoutSec: config.compute.shutdownTimeoutSec,
        nameservers: config.compute.vmNameservers,
      }),
      listen: database.listen,
      ...(deps.logger ? { logger: deps.logger } : {}),
    },
    {
      concurrency: config.compute.jobConcurrency,
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    },
  );
  const reconciler = new Reconciler({
    db: database.db,
    registry: services.hypervisors,
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  await runner.start();
  if (options.reconcile ?? true) reconciler.start(config.compute.reconcileIntervalMs);
  return {
    runner,
    reconciler,
    stop: async () => {
      await reconciler.stop();
      await runner.stop();
    },
  };
}

import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import type { DatabaseHandle, Db } from '../src/db/database.js';
import { JobQueue, type EnqueueRequest } from '../src/platform/jobs/job-queue.js';
import {
  JobRunner,
  type AttemptReport,
  type JobRunnerOptions,
} from '../src/platform/jobs/job-runner.js';
import type { Job, JobHandlers } from '../src/platform/jobs/job.js';
import { cloneTestDatabase } from './support/database.js';
import { ManualClock } from './support/test-app.js';

export const LEASE_MS = 30_000;
export const BACKOFF = { baseMs: 1_000, maxMs: 8_000 };

export interface JobsTest {
  database: DatabaseHandle;
  db: Db;
  /** Reset for each test; the runners' notion of now. */
  clock: ManualClock;
  queue: JobQueue;
  /** A runner on the test database and clock, with the test lease and backoff. */
  runner(owner: string, handlers: JobHandlers, options?: JobRunnerOptions): JobRunner;
  /** Enqueues a `vm.provision` job (or as `req` says) in a transaction of its own. */
  enqueue(req?: Partial<EnqueueRequest>): Promise<Job>;
  /** The job as stored now. */
  job(id: string): Promise<Job>;
}

/** A cloned test database for the file, its jobs table emptied before each test. */
export function useJobsDatabase(): JobsTest {
  const t = {
    runner: (owner, handlers, options = {}) =>
      new JobRunner(
        { db: t.db, clock: t.clock, handlers, owner },
        { leaseMs: LEASE_MS, backoff: BACKOFF, pollIntervalMs: 10, ...options },
      ),
    enqueue: (req = {}) =>
      t.db
        .transaction()
        .execute((tx) => t.queue.enqueue(tx, { kind: 'vm.provision', payload: { n: 1 }, ...req })),
    job: async (id) => {
      const found = await t.queue.find(id);
      if (!found) throw new Error(`job ${id} is gone`);
      return found;
    },
  } as JobsTest;
  beforeAll(async () => {
    t.database = await cloneTestDatabase(inject('templateDump'));
    t.db = t.database.db;
  });
  afterAll(() => t.database.close());
  beforeEach(async () => {
    await t.db.deleteFrom('jobs').execute();
    t.clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    t.queue = new JobQueue(t.db, t.clock);
  });
  return t;
}

/** A promise the test settles by hand. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const outcomes = (reports: AttemptReport[]) => reports.map((r) => r.outcome);

import type { Db } from '../../db/database.js';
import type { Clock } from '../clock.js';
import type { Job, JobResource } from './job.js';
import { JobsRepo } from './jobs.repo.js';

/** The channel a committed enqueue is announced on, so that idle runners wake at once. */
export const JOBS_CHANNEL = 'swiftcloud_jobs_queued';

export interface EnqueueRequest {
  /** Which handler runs it, e.g. `vm.provision`. */
  kind: string;
  /** JSON for the handler (ids, not copies of rows: the handler reads the current state). */
  payload: unknown;
  /** The thing the job acts on, to list a resource's jobs. */
  resource?: JobResource;
  /** Not before this time (default now). */
  runAt?: Date;
  /** Attempts before a job that keeps failing transiently is failed for good. */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** Where services put durable work, and read how it went. */
export class JobQueue {
  private readonly repo: JobsRepo;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.repo = new JobsRepo(db);
  }

  /**
   * Queues a job inside `tx`, the transaction of the state change that needs it: the job
   * exists exactly when the change commits, and no runner sees it before. Runners
   * listening on JOBS_CHANNEL are woken when the transaction commits.
   */
  async enqueue(tx: Db, req: EnqueueRequest): Promise<Job> {
    const maxAttempts = req.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new RangeError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
    if (req.kind === '') throw new RangeError('a job needs a kind');
    const now = this.clock.now();
    const job = await this.repo.insert(tx, {
      kind: req.kind,
      payload: req.payload,
      resource: req.resource ?? null,
      runAt: req.runAt ?? now,
      maxAttempts,
      now,
    });
    // PostgreSQL delivers a notification only when (and if) its transaction commits.
    await tx
      .selectNoFrom((eb) => eb.fn('pg_notify', [eb.val(JOBS_CHANNEL), eb.val(job.kind)]).as('n'))
      .execute();
    return job;
  }

  find(id: string): Promise<Job | null> {
    return this.repo.find(id);
  }

  /** The resource's jobs, newest first. */
  listForResource(resource: JobResource, limit = 50): Promise<Job[]> {
    return this.repo.listForResource(resource, limit);
  }
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DatabaseHandle, Db, Unlisten } from '../../db/database.js';
import type { Clock } from '../clock.js';
import { retryDelayMs, type Backoff } from './backoff.js';
import { JOBS_CHANNEL } from './job-queue.js';
import {
  LeaseLost,
  describeError,
  isTransient,
  type Job,
  type JobContext,
  type JobHandlers,
} from './job.js';
import { JobsRepo, type Lease } from './jobs.repo.js';

export interface JobLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface JobRunnerDeps {
  db: Db;
  clock: Clock;
  /** The handler of each kind this runner takes; it never claims other kinds. */
  handlers: JobHandlers;
  /** This runner's name in `lease_owner`; unique among runners (see `runnerId`). */
  owner: string;
  logger?: JobLogger;
  /** Subscribes to enqueue announcements (DatabaseHandle.listen), to wake without waiting for a poll. */
  listen?: DatabaseHandle['listen'];
}

export interface JobRunnerOptions {
  /** Handlers running at once. Default 4. */
  concurrency?: number;
  /** How long a claim holds a job without renewal; renewed every third of it. Default 60 s. */
  leaseMs?: number;
  /** How often an idle runner looks for due jobs. Default 1 s. */
  pollIntervalMs?: number;
  /** Waits between attempts after transient failures. Default 5 s doubling up to 10 min. */
  backoff?: Backoff;
  /** How long `stop()` waits for running handlers. Default 30 s. */
  stopTimeoutMs?: number;
  /** For the backoff's jitter; [0, 1). */
  random?: () => number;
}

/** What became of one attempt. */
export type JobOutcome =
  | 'succeeded'
  /** Failed transiently; queued again after a backoff. */
  | 'retrying'
  | 'failed'
  /** Another runner holds the job now; nothing was recorded. */
  | 'lease_lost'
  /** The runner stopped and the handler gave up: queued again at once, the attempt not counted. */
  | 'released'
  /** The outcome could not be written (database unreachable); the lease will expire and the job run again. */
  | 'unrecorded';

export interface AttemptReport {
  job: Job;
  outcome: JobOutcome;
}

interface Attempt {
  job: Job;
  lease: Lease;
  controller: AbortController;
  /** Until when the lease is known to be held (epoch ms on the runner's clock). */
  heldUntil: number;
  lost: boolean;
  stopping: boolean;
  renewTimer?: NodeJS.Timeout;
  settled: Promise<AttemptReport>;
}

/** A name for this process's runner: host, process id and a random part. */
export function runnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Runs jobs from the `jobs` table. Claims due jobs in a short transaction that leases them
 * (FOR UPDATE SKIP LOCKED, so runners on several servers never take the same job), runs
 * each handler outside any transaction while renewing its lease, and records the outcome:
 * the result, a retry with backoff after a transient error, or the failure. A job whose
 * lease expires (its server died mid-way) is taken over by another runner and run again.
 *
 * `start()`/`stop()` run it in the background; `runOnce()` steps it by hand.
 */
export class JobRunner {
  private readonly repo: JobsRepo;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: Backoff;
  private readonly stopTimeoutMs: number;
  private readonly random: () => number;
  private readonly active = new Map<string, Attempt>();

  private started = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private unlisten: Unlisten | undefined;

  constructor(
    private readonly deps: JobRunnerDeps,
    options: JobRunnerOptions = {},
  ) {
    this.repo = new JobsRepo(deps.db);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.backoff = options.backoff ?? { baseMs: 5_000, maxMs: 10 * 60_000 };
    this.stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** Handlers running now. */
  get running(): number {
    return this.active.size;
  }

  /** Polls for due jobs every poll interval (and at once when woken) until `stop()`. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.deps.listen) {
      try {
        const unlisten = await this.deps.listen(
          JOBS_CHANNEL,
          () => this.wake(),
          () => this.wake(),
        );
        // Stopped while subscribing.
        if (!this.started) return await unlisten();
        this.unlisten = unlisten;
      } catch (err) {
        this.deps.logger?.warn({ err }, 'job announcements unavailable; polling only');
      }
    }
    if (this.started) this.schedule(0);
  }

  /** Looks for due jobs now rather than at the next poll (a job was enqueued, a slot freed). */
  wake(): void {
    if (!this.started) return;
    if (this.polling) this.pollAgain = true;
    else this.schedule(0);
  }

  /**
   * Stops taking jobs, aborts the running handlers' signals and waits for them up to
   * `timeoutMs`. Handlers still running then are left: their leases are no longer renewed,
   * so another runner takes their jobs over when the leases expire.
   */
  async stop(timeoutMs = this.stopTimeoutMs): Promise<void> {
    this.started = false;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch(() => {});
    // A claim in flight launches what it took; those are stopped like the others.
    await this.polling;
    const attempts = [...this.active.values()];
    for (const attempt of attempts) {
      attempt.stopping = true;
      attempt.controller.abort(new Error('the job runner is stopping'));
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(attempts.map((a) => a.settled)), timedOut]);
    clearTimeout(timer);
    for (const attempt of this.active.values()) {
      clearTimeout(attempt.renewTimer);
      attempt.renewTimer = undefined;
      this.deps.logger?.warn(
        { jobId: attempt.job.id, kind: attempt.job.kind },
        'job still running at stop; left for its lease to expire',
      );
    }
  }

  /** Claims the jobs due now (as many as there are free slots) and runs them to the end. */
  async runOnce(): Promise<AttemptReport[]> {
    const jobs = await this.claim();
    return Promise.all(jobs.map((job) => this.launch(job)));
  }

  private claim(): Promise<Job[]> {
    return this.repo.claim({
      owner: this.deps.owner,
      kinds: Object.keys(this.deps.handlers),
      now: this.deps.clock.now(),
      leaseMs: this.leaseMs,
      limit: this.concurrency - this.active.size,
    });
  }

  private schedule(ms: number): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        if (!this.started) return;
        const again = this.pollAgain;
        this.pollAgain = false;
        this.schedule(again ? 0 : this.pollIntervalMs);
      });
    }, ms);
  }

  private async poll(): Promise<void> {
    try {
      for (const job of await this.claim()) void this.launch(job);
    } catch (err) {
      this.deps.logger?.warn({ err }, 'could not claim jobs');
    }
  }

  /** Runs one claimed job; registers it synchronously so that the next claim counts it. */
  private launch(job: Job): Promise<AttemptReport> {
    let settle!: (report: AttemptReport) => void;
    const attempt: Attempt = {
      job,
      lease: { jobId: job.id, owner: this.deps.owner, attempt: job.attempts },
      controller: new AbortController(),
      heldUntil: job.leaseExpiresAt?.getTime() ?? 0,
      lost: false,
      stopping: false,
      settled: new Promise((resolve) => (settle = resolve)),
    };
    this.active.set(job.id, attempt);
    this.run(attempt)
      .catch((err: unknown): AttemptReport => {
        this.deps.logger?.error({ err, jobId: job.id }, 'job attempt ended unexpectedly');
        return { job, outcome: 'unrecorded' };
      })
      .then((report) => {
        clearTimeout(attempt.renewTimer);
        this.active.delete(job.id);
        settle(report);
        this.wake();
      });
    return attempt.settled;
  }

  private async run(attempt: Attempt): Promise<AttemptReport> {
    const { job } = attempt;
    const handler = this.deps.handlers[job.kind];
    const ctx: JobContext = {
      job,
      signal: attempt.controller.signal,
      heartbeat: () => this.heartbeat(attempt),
    };
    this.scheduleRenewal(attempt);
    let ok = false;
    let result: unknown;
    let error: unknown;
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      result = await handler(ctx);
      ok = true;
    } catch (err) {
      error = err;
    }
    clearTimeout(attempt.renewTimer);
    attempt.renewTimer = undefined;
    const outcome = await this.record(attempt, ok, result, error);
    const log = this.deps.logger;
    const details = { jobId: job.id, kind: job.kind, attempt: job.attempts };
    if (outcome === 'failed') log?.warn({ ...details, err: error }, 'job failed');
    else if (outcome === 'retrying') log?.info({ ...details, err: error }, 'job will be retried');
    else if (outcome === 'lease_lost') log?.warn(details, 'job lease lost; another runner has it');
    return { job, outcome };
  }

  private async record(
    attempt: Attempt,
    ok: boolean,
    result: unknown,
    error: unknown,
  ): Promise<JobOutcome> {
    const { job, lease } = attempt;
    if (attempt.lost) return 'lease_lost';
    const now = this.deps.clock.now();
    let held: boolean;
    let outcome: JobOutcome;
    try {
      if (ok) {
        outcome = 'succeeded';
        held = await this.repo.succeed(lease, now, result);
      } else if (attempt.stopping) {
        outcome = 'released';
        held = await this.repo.release(lease, now);
      } else if (isTransient(error) && job.attempts < job.maxAttempts) {
        outcome = 'retrying';
        const delay = retryDelayMs(job.attempts, this.backoff, this.random);
        const runAt = new Date(now.getTime() + delay);
        held = await this.repo.retry(lease, now, runAt, describeError(error));
      } else {
        outcome = 'failed';
        held = await this.repo.fail(lease, now, describeError(error));
      }
    } catch (err) {
      this.deps.logger?.error({ err, jobId: job.id }, 'could not record the outcome of a job');
      return 'unrecorded';
    }
    return held ? outcome : 'lease_lost';
  }

  private scheduleRenewal(attempt: Attempt): void {
    attempt.renewTimer = setTimeout(
      () => {
        void this.renew(attempt).then(() => {
          if (attempt.renewTimer && !attempt.lost) this.scheduleRenewal(attempt);
        });
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
  }

  private async renew(attempt: Attempt): Promise<void> {
    try {
      await this.heartbeat(attempt);
    } catch (err) {
      if (err instanceof LeaseLost) return;
      this.deps.logger?.warn({ err, jobId: attempt.job.id }, 'could not renew a job lease');
      // Past the lease's end another runner may take the job: stop the handler.
      if (this.deps.clock.now().getTime() >= attempt.heldUntil) this.lose(attempt);
    }
  }

  private async heartbeat(attempt: Attempt): Promise<void> {
    if (attempt.lost) throw new LeaseLost(attempt.job.id);
    const now = this.deps.clock.now();
    const held = await this.repo.renew(attempt.lease, now, this.leaseMs);
    if (!held) {
      this.lose(attempt);
      throw new LeaseLost(attempt.job.id);
    }
    attempt.heldUntil = Math.max(attempt.heldUntil, now.getTime() + this.leaseMs);
  }

  private lose(attempt: Attempt): void {
    if (attempt.lost) return;
    attempt.lost = true;
    clearTimeout(attempt.renewTimer);
    attempt.renewTimer = undefined;
    attempt.controller.abort(new LeaseLost(attempt.job.id));
  }
}

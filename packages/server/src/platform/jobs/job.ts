import type { JobStatus } from '../../db/schema.js';

export type { JobStatus };

/** A job as stored: what to do (`kind`, `payload`), how it went, and who holds it now. */
export interface Job {
  id: string;
  kind: string;
  /** JSON as enqueued; perhaps by an earlier release, so handlers parse it. */
  payload: unknown;
  status: JobStatus;
  /** Attempts started so far; while running, the number of the current attempt. */
  attempts: number;
  maxAttempts: number;
  /** Queued: when the next attempt is due. Running: when the lease ends. */
  runAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** The error of the last failed attempt (message, then the system's own detail). */
  lastError: string | null;
  /** What the handler returned, as JSON (null until it succeeds). */
  result: unknown;
  resource: JobResource | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** The thing a job acts on, so that the API can show a resource's jobs. */
export interface JobResource {
  type: string;
  id: string;
}

/** What a handler is given for one attempt. */
export interface JobContext {
  job: Job;
  /**
   * Aborted when this runner no longer holds the job: its lease was lost (another runner
   * may be running it now) or the runner is stopping. A handler stops at the next safe
   * point and throws; the job is then run again later, from the start.
   */
  signal: AbortSignal;
  /**
   * Renews the lease now (the runner also renews it on its own while the handler runs).
   * Throws LeaseLost, and aborts `signal`, when the job is no longer this runner's.
   */
  heartbeat(): Promise<void>;
}

/**
 * Does one kind of job. A job is run at least once, not exactly once: a retry after a
 * transient error, or another runner taking over when this one's lease expired (its server
 * died mid-way, or lost the database), runs the handler again from the start, possibly
 * after some of its steps took effect. So every handler must be idempotent: each step
 * finds out whether it was done already and then does nothing (or finishes it).
 *
 * Resolve with the result (stored as JSON) on success. Throw an error with
 * `transient: true` (see `isTransient`) for a failure that may pass when tried again
 * later: the job is retried with backoff until `maxAttempts`. Any other error fails the
 * job for good, keeping its `message` and `detail` in `lastError`.
 *
 * Handlers run outside any database transaction: they may call other systems, and open
 * their own short transactions for what they record.
 */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

/** The handler of each job kind a runner takes. */
export type JobHandlers = Record<string, JobHandler>;

/** Thrown by `heartbeat()` when the runner no longer holds the job's lease. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
  constructor(jobId: string) {
    super(`the lease of job ${jobId} was lost; another runner may be running it`);
  }
}

/** A failure that may pass when tried again later, for handlers with no error of their own. */
export class TransientError extends Error {
  override name = 'TransientError';
  readonly transient = true;
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

// SQLSTATEs after which the same statement may well succeed: serialization failure,
// deadlock, the server shutting down or refusing connections, and lost connections (08xxx).
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300']);

/**
 * True when trying again later may help: the error says so (`transient: true`, as
 * HypervisorError does), or it is a database error of the passing kind (a deadlock, a
 * serialization failure, a lost connection).
 */
export function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { transient?: unknown; code?: unknown };
  if (e.transient === true) return true;
  if (typeof e.code !== 'string') return false;
  return TRANSIENT_SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code);
}

const MAX_ERROR_LENGTH = 10_000;

/** The text kept in `last_error`: the message, then the `detail` (e.g. a Proxmox task log). */
export function describeError(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const detail = (err as { detail?: unknown }).detail;
    text = typeof detail === 'string' && detail !== '' ? `${err.message}\n${detail}` : err.message;
    if (text === '') text = err.name;
  } else {
    text = String(err);
  }
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

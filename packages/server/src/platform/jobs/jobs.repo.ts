import { sql, type Selectable, type UpdateObject } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, JobsTable } from '../../db/schema.js';
import type { Job, JobResource } from './job.js';

/** One attempt's hold on a job: its runner and attempt number (a fencing token). */
export interface Lease {
  jobId: string;
  owner: string;
  attempt: number;
}

export interface NewJob {
  kind: string;
  payload: unknown;
  resource: JobResource | null;
  runAt: Date;
  maxAttempts: number;
  now: Date;
}

export interface ClaimRequest {
  owner: string;
  /** Only jobs of these kinds (the ones the runner has handlers for). */
  kinds: string[];
  now: Date;
  leaseMs: number;
  limit: number;
}

type JobRow = Selectable<JobsTable>;

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    result: row.result ?? null,
    resource:
      row.resource_type !== null && row.resource_id !== null
        ? { type: row.resource_type, id: row.resource_id }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * The jobs table. Every write after a claim is fenced by the lease (job id, owner and
 * attempt number): a runner whose lease expired and was taken over writes nothing.
 */
export class JobsRepo {
  constructor(private readonly db: Db) {}

  /** Inserts a queued job through `db`, which is the caller's transaction when there is one. */
  async insert(db: Db, job: NewJob): Promise<Job> {
    const row = await db
      .insertInto('jobs')
      .values({
        kind: job.kind,
        payload: toJson(job.payload),
        status: 'queued',
        max_attempts: job.maxAttempts,
        run_at: job.runAt,
        resource_type: job.resource?.type ?? null,
        resource_id: job.resource?.id ?? null,
        created_at: job.now,
        updated_at: job.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJob(row);
  }

  async find(id: string): Promise<Job | null> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /** The resource's jobs, newest first. */
  async listForResource(resource: JobResource, limit: number): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('resource_type', '=', resource.type)
      .where('resource_id', '=', resource.id)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  /**
   * Leases up to `limit` due jobs to `owner`: queued ones whose time has come, and running
   * ones whose lease expired (their runner died or lost the database). Rows another runner
   * is claiming at this moment are skipped (FOR UPDATE SKIP LOCKED), so no job is leased
   * twice. A job whose lease expired on its last attempt is failed instead.
   * One short transaction; no handler runs inside it.
   */
  async claim(req: ClaimRequest): Promise<Job[]> {
    if (req.kinds.length === 0 || req.limit <= 0) return [];
    const now = req.now;
    const leaseEnds = new Date(now.getTime() + req.leaseMs);
    const kinds = sql.join(req.kinds);
    return this.db.transaction().execute(async (tx) => {
      await sql`
        UPDATE jobs SET
          status = 'failed',
          last_error = 'attempt ' || attempts || ' of ' || max_attempts
            || ' did not finish: its runner (' || coalesce(lease_owner, '?')
            || ') stopped renewing its lease',
          lease_owner = NULL,
          lease_expires_at = NULL,
          finished_at = ${now},
          updated_at = ${now}
        WHERE id IN (
          SELECT id FROM jobs
          WHERE status = 'running' AND run_at <= ${now} AND attempts >= max_attempts
            AND kind IN (${kinds})
          FOR UPDATE SKIP LOCKED
        )
      `.execute(tx);
      const { rows } = await sql<JobRow>`
        WITH due AS MATERIALIZED (
          SELECT id FROM jobs
          WHERE status IN ('queued', 'running') AND run_at <= ${now} AND kind IN (${kinds})
          ORDER BY run_at
          LIMIT ${req.limit}
          FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs SET
          status = 'running',
          attempts = jobs.attempts + 1,
          lease_owner = ${req.owner},
          lease_expires_at = ${leaseEnds},
          run_at = ${leaseEnds},
          updated_at = ${now}
        FROM due
        WHERE jobs.id = due.id
        RETURNING jobs.*
      `.execute(tx);
      return rows.map(toJob).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
    });
  }

  /** Extends the lease to `now + leaseMs`; false when it is no longer this runner's. */
  async renew(lease: Lease, now: Date, leaseMs: number): Promise<boolean> {
    const leaseEnds = new Date(now.getTime() + leaseMs);
    return this.fenced(lease, { lease_expires_at: leaseEnds, run_at: leaseEnds, updated_at: now });
  }

  async succeed(lease: Lease, now: Date, result: unknown): Promise<boolean> {
    return this.fenced(lease, {
      status: 'succeeded',
      result: toJson(result),
      lease_owner: null,
      lease_expires_at: null,
      finished_at: now,
      updated_at: now,
    });
  }

  /** Queues the job again for `runAt` after a transient failure. */
  async retry(lease: Lease, now: Date, runAt: Date, error: string): Promise<boolean> {
    return this.fenced(lease, {
      status: 'queued',
      last_error: error,
      run_at: runAt,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    });
  }

  async fail(lease: Lease, now: Date, error: string): Promise<boolean> {
    return this.fenced(lease, {
      status: 'failed',
      last_error: error,
      lease_owner: null,
      lease_expires_at: null,
      finished_at: now,
      updated_at: now,
    });
  }

  /**
   * Gives the job back at once, its attempt not counted: its runner is stopping and the
   * handler gave up on the way (it had not failed on its own).
   */
  async release(lease: Lease, now: Date): Promise<boolean> {
    return this.fenced(lease, {
      status: 'queued',
      attempts: sql<number>`attempts - 1`,
      run_at: now,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    });
  }

  private async fenced(lease: Lease, set: UpdateObject<Database, 'jobs'>): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set(set)
      .where('id', '=', lease.jobId)
      .where('status', '=', 'running')
      .where('lease_owner', '=', lease.owner)
      .where('attempts', '=', lease.attempt)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

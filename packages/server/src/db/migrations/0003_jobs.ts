import { sql, type Kysely } from 'kysely';

// Append-only: once committed, a migration is never edited; later changes get a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Durable work (provisioning, power, deletion...): enqueued in the transaction of the
    -- state change that needs it, run after commit by whichever server leases it first.
    CREATE TABLE jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
      -- Attempts started so far; a claim counts one, whether or not it finishes.
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      max_attempts integer NOT NULL CHECK (max_attempts >= 1),
      -- When the job is next due: for a queued job its next attempt, for a running one the
      -- end of its lease (when another runner may take it over). One column, so that one
      -- index finds both.
      run_at timestamptz NOT NULL,
      lease_owner text,
      lease_expires_at timestamptz,
      last_error text,
      result jsonb,
      -- The thing the job acts on (e.g. 'vm' and its id), so that the API can show its jobs.
      resource_type text,
      resource_id uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      finished_at timestamptz,
      CHECK ((resource_type IS NULL) = (resource_id IS NULL)),
      CHECK (status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
    );
    -- Claiming: due jobs in run_at order. Partial, so that the finished jobs that pile up
    -- over the years are not in it, and a claim reads the due end of it and stops.
    CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status IN ('queued', 'running');
    CREATE INDEX jobs_resource_idx ON jobs (resource_type, resource_id, created_at);
  `.execute(db);
}

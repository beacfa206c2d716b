import { sql, type Kysely } from 'kysely';

// Append-only: once committed, a migration is never edited; later changes get a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The simulator hypervisor's own state: the VMs it holds for each simulated node, kept
    -- so that a restart of the server finds them as a real node would. It plays a machine
    -- outside SwiftCloud, so node_id is not a foreign key: like a real node's disks, its VMs
    -- do not vanish with SwiftCloud's rows, and the reconciler is what notices the drift.
    CREATE TABLE simulated_vms (
      node_id uuid NOT NULL,
      vmid integer NOT NULL CHECK (vmid BETWEEN 100 AND 999999999),
      name text NOT NULL,
      spec jsonb NOT NULL,
      -- False between the clone and the end of its configuration (a half-made VM).
      configured boolean NOT NULL DEFAULT false,
      power_state text NOT NULL CHECK (power_state IN ('running', 'stopped', 'paused')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (node_id, vmid)
    );
  `.execute(db);
}

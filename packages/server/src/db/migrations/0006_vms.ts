import { sql, type Kysely } from 'kysely';

// Append-only: once committed, a migration is never edited; later changes get a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Hypervisor VM ids are allocated here, never by a node (no /cluster/nextid races).
    -- Proxmox reserves ids below 100.
    CREATE SEQUENCE vm_hypervisor_ids START 100 MINVALUE 100 MAXVALUE 999999999;

    -- What SwiftCloud's live VMs take of each node, by their sizes: kept with every VM
    -- placed and deleted, in the same transaction, so that placement reads one row.
    ALTER TABLE nodes
      ADD COLUMN used_memory_mib bigint NOT NULL DEFAULT 0 CHECK (used_memory_mib >= 0),
      ADD COLUMN used_disk_gib bigint NOT NULL DEFAULT 0 CHECK (used_disk_gib >= 0);

    -- Customer VMs. A deleted VM keeps its row (deleted_at set) so that billing can charge
    -- the hours it lived and the audit trail can name it; every API read skips it. A project
    -- can only be deleted without live VMs, and then takes these tombstones with it.
    CREATE TABLE vms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      status text NOT NULL
        CHECK (status IN ('provisioning', 'running', 'stopped', 'suspended', 'error', 'deleting')),
      power_state text NOT NULL CHECK (power_state IN ('running', 'stopped', 'paused', 'unknown')),
      template_id uuid NOT NULL REFERENCES templates (id),
      size_id uuid NOT NULL REFERENCES sizes (id),
      -- What the VM was made with: editing a size later changes new VMs, not this one.
      vcpus integer NOT NULL CHECK (vcpus > 0),
      memory_mib integer NOT NULL CHECK (memory_mib > 0),
      disk_gib integer NOT NULL CHECK (disk_gib > 0),
      node_id uuid NOT NULL REFERENCES nodes (id),
      hypervisor_id integer NOT NULL DEFAULT nextval('vm_hypervisor_ids'),
      public_ip boolean NOT NULL,
      -- The address with the pool it came from; null once released (deleted, failed).
      ip_address text,
      ip_pool_id uuid REFERENCES ip_pools (id),
      ssh_key text NOT NULL,
      -- Why the VM is in status error (the hypervisor's own account).
      error text,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz
    );
    CREATE UNIQUE INDEX vms_project_name_key ON vms (project_id, name) WHERE deleted_at IS NULL;
    CREATE UNIQUE INDEX vms_node_hypervisor_id_key ON vms (node_id, hypervisor_id);
    CREATE INDEX vms_project_created_idx ON vms (project_id, created_at, id) WHERE deleted_at IS NULL;
    CREATE INDEX vms_template_id_idx ON vms (template_id);
    CREATE INDEX vms_size_id_idx ON vms (size_id);
    CREATE INDEX vms_created_by_idx ON vms (created_by);
    CREATE INDEX vms_ip_pool_id_idx ON vms (ip_pool_id);

    -- What was asked of a VM and how it went: provisioning, power actions, deletion. At most
    -- one is open (pending or running) per VM; the partial unique index is the lock that
    -- turns a second request into CONFLICT, whichever server instance takes it.
    CREATE TABLE vm_actions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- The order actions were asked in (several can share a created_at).
      seq bigint GENERATED ALWAYS AS IDENTITY,
      vm_id uuid NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
      type text NOT NULL
        CHECK (type IN ('create', 'start', 'stop', 'shutdown', 'reboot', 'reset', 'delete', 'suspend')),
      status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
      error text,
      job_id uuid REFERENCES jobs (id),
      requested_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      completed_at timestamptz
    );
    CREATE UNIQUE INDEX vm_actions_one_open_key ON vm_actions (vm_id)
      WHERE status IN ('pending', 'running');
    CREATE INDEX vm_actions_vm_seq_idx ON vm_actions (vm_id, seq);
    CREATE INDEX vm_actions_job_id_idx ON vm_actions (job_id);
    CREATE INDEX vm_actions_requested_by_idx ON vm_actions (requested_by);

    -- Console tickets: only the SHA-256 of the ticket is kept. Single use (used_at), bound
    -- to the user and the VM, short-lived.
    CREATE TABLE vm_console_tickets (
      ticket_hash text PRIMARY KEY,
      vm_id uuid NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX vm_console_tickets_vm_id_idx ON vm_console_tickets (vm_id);
    CREATE INDEX vm_console_tickets_user_id_idx ON vm_console_tickets (user_id);
    CREATE INDEX vm_console_tickets_expires_idx ON vm_console_tickets (expires_at);
  `.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Append-only: once committed, a migration is never edited; later changes get a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Hypervisor nodes as administrators configure them. credentials holds the driver's
    -- secrets (Proxmox API token, TLS trust); the API never shows them, only their keys.
    CREATE TABLE nodes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      driver text NOT NULL CHECK (driver IN ('simulator', 'proxmox')),
      endpoint text NOT NULL DEFAULT '',
      credentials jsonb NOT NULL DEFAULT '{}',
      cpus integer NOT NULL CHECK (cpus > 0),
      memory_mib bigint NOT NULL CHECK (memory_mib > 0),
      disk_gib bigint NOT NULL CHECK (disk_gib > 0),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX nodes_name_key ON nodes (name);

    CREATE TABLE templates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL,
      name text NOT NULL,
      os_family text NOT NULL,
      min_disk_gib integer NOT NULL CHECK (min_disk_gib > 0),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX templates_slug_key ON templates (slug);

    -- The node's own name for a template (Proxmox: the template VM to clone).
    CREATE TABLE template_sources (
      template_id uuid NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
      node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
      source text NOT NULL,
      PRIMARY KEY (template_id, node_id)
    );
    CREATE INDEX template_sources_node_id_idx ON template_sources (node_id);

    -- Prices: the hourly price in micro-ngwee (1e-6 ngwee) so that a monthly price divided
    -- into hours stays exact; the monthly cap in ngwee.
    CREATE TABLE sizes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL,
      vcpus integer NOT NULL CHECK (vcpus > 0),
      memory_mib integer NOT NULL CHECK (memory_mib > 0),
      disk_gib integer NOT NULL CHECK (disk_gib > 0),
      hourly_price_micro_ngwee bigint NOT NULL CHECK (hourly_price_micro_ngwee > 0),
      monthly_cap_ngwee bigint NOT NULL CHECK (monthly_cap_ngwee > 0),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX sizes_slug_key ON sizes (slug);

    -- IPv4 addresses are kept as integers (0 .. 2^32-1) for range arithmetic.
    CREATE TABLE ip_pools (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      network bigint NOT NULL CHECK (network BETWEEN 0 AND 4294967295),
      prefix integer NOT NULL CHECK (prefix BETWEEN 16 AND 30),
      gateway bigint NOT NULL,
      range_first bigint NOT NULL,
      range_last bigint NOT NULL,
      public boolean NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (range_first <= range_last)
    );
    CREATE UNIQUE INDEX ip_pools_name_key ON ip_pools (name);

    CREATE TABLE ip_pool_nodes (
      pool_id uuid NOT NULL REFERENCES ip_pools (id) ON DELETE CASCADE,
      node_id uuid NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
      PRIMARY KEY (pool_id, node_id)
    );
    CREATE INDEX ip_pool_nodes_node_id_idx ON ip_pool_nodes (node_id);

    -- One row per address a pool may hand out (its range, less the gateway), free while
    -- allocated_at is null. Allocation takes the lowest free row FOR UPDATE SKIP LOCKED, so
    -- concurrent transactions never share an address and never wait on each other.
    CREATE TABLE ip_addresses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pool_id uuid NOT NULL REFERENCES ip_pools (id) ON DELETE CASCADE,
      address bigint NOT NULL CHECK (address BETWEEN 0 AND 4294967295),
      allocated_at timestamptz
    );
    -- Pools never overlap, so an address is unique overall; also the pool_id FK's index.
    CREATE UNIQUE INDEX ip_addresses_pool_id_address_key ON ip_addresses (pool_id, address);
    CREATE UNIQUE INDEX ip_addresses_address_key ON ip_addresses (address);
    CREATE INDEX ip_addresses_free_idx ON ip_addresses (pool_id, address) WHERE allocated_at IS NULL;
  `.execute(db);
}

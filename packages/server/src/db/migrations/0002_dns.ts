import { sql, type Kysely } from 'kysely';

// Append-only: once committed, a migration is never edited; later changes get a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One row per claim of a name by a project. Several projects may claim a name while
    -- it is pending; only one claim of a name can be active.
    CREATE TABLE domains (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      project_id uuid NOT NULL REFERENCES projects (id),
      name text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'active', 'failed')),
      delegated_nameservers text[] NOT NULL DEFAULT '{}',
      last_checked_at timestamptz,
      next_check_at timestamptz,
      check_attempts integer NOT NULL DEFAULT 0,
      -- The SOA serial; rises on every change of the zone (uint32 in DNS).
      serial bigint NOT NULL CHECK (serial BETWEEN 1 AND 4294967295),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      verified_at timestamptz
    );
    -- Also the index of the project_id foreign key (its leading column).
    CREATE UNIQUE INDEX domains_project_id_name_key ON domains (project_id, name);
    CREATE UNIQUE INDEX domains_active_name_key ON domains (name) WHERE status = 'active';
    CREATE INDEX domains_name_idx ON domains (name, created_at);
    CREATE INDEX domains_next_check_at_idx ON domains (next_check_at)
      WHERE status IN ('pending', 'active');

    CREATE TABLE dns_records (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      domain_id uuid NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
      -- Relative to the domain, normalised: '@', 'www', '*.dev', '_sip._tcp'.
      name text NOT NULL,
      type text NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA')),
      content text NOT NULL,
      ttl integer NOT NULL CHECK (ttl BETWEEN 60 AND 86400),
      priority integer CHECK (priority BETWEEN 0 AND 65535),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    -- Also the index of the domain_id foreign key. TXT content may exceed a btree entry,
    -- so exact duplicates are kept out by the content's hash.
    CREATE UNIQUE INDEX dns_records_exact_key ON dns_records (domain_id, name, type, md5(content));
  `.execute(db);
}

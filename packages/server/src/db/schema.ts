import type { ColumnType, Generated } from 'kysely';

/** Columns the database fills in on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  is_admin: Defaulted<boolean>;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  project_id: string | null;
  name: string;
  prefix: string;
  key_hash: string;
  scope: 'read' | 'read_write';
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export interface ProjectsTable {
  id: Generated<string>;
  name: string;
  description: string;
  /** The cached wallet balance in ngwee; the billing ledger keeps it. */
  balance_ngwee: Defaulted<number>;
  created_at: Date;
  updated_at: Date;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: 'owner' | 'member' | 'viewer';
  created_at: Date;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: Date;
}

export interface AuditEventsTable {
  id: Generated<string>;
  actor_user_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  project_id: string | null;
  details: ColumnType<Record<string, unknown>, string, string>;
  created_at: Date;
}

export interface DomainsTable {
  id: Generated<string>;
  project_id: string;
  /** Absolute, lowercase, punycode, no trailing dot. */
  name: string;
  status: 'pending' | 'active' | 'failed';
  delegated_nameservers: Defaulted<string[]>;
  last_checked_at: Date | null;
  next_check_at: Date | null;
  check_attempts: Defaulted<number>;
  serial: number;
  created_at: Date;
  updated_at: Date;
  verified_at: Date | null;
}

export interface DnsRecordsTable {
  id: Generated<string>;
  domain_id: string;
  /** Relative to the domain: `@`, `www`, `*.dev`. */
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS' | 'SRV' | 'CAA';
  content: string;
  ttl: number;
  priority: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  login_throttle: LoginThrottleTable;
  audit_events: AuditEventsTable;
  domains: DomainsTable;
  dns_records: DnsRecordsTable;
}

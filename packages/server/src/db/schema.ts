import type { ColumnType, Generated } from 'kysely';
import type { OsFamily } from '@swiftcloud/contracts';
import type { VmSpec } from '../compute/hypervisor/port.js';

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

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobsTable {
  id: Generated<string>;
  kind: string;
  /** JSON, written as a string. */
  payload: ColumnType<unknown, string, string>;
  status: JobStatus;
  attempts: Defaulted<number>;
  max_attempts: number;
  /** Queued: the next attempt; running: the end of the lease. */
  run_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error: string | null;
  result: ColumnType<unknown, string | null, string | null>;
  resource_type: string | null;
  resource_id: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface NodesTable {
  id: Generated<string>;
  name: string;
  driver: 'simulator' | 'proxmox';
  endpoint: Defaulted<string>;
  /** Driver secrets; never in API responses. */
  credentials: ColumnType<Record<string, string>, string | undefined, string>;
  cpus: number;
  memory_mib: number;
  disk_gib: number;
  active: Defaulted<boolean>;
  /** What SwiftCloud's live VMs on the node take (placement). */
  used_memory_mib: Defaulted<number>;
  used_disk_gib: Defaulted<number>;
  created_at: Date;
  updated_at: Date;
}

export interface TemplatesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  os_family: OsFamily;
  min_disk_gib: number;
  active: Defaulted<boolean>;
  created_at: Date;
  updated_at: Date;
}

export interface TemplateSourcesTable {
  template_id: string;
  node_id: string;
  source: string;
}

export interface SizesTable {
  id: Generated<string>;
  slug: string;
  vcpus: number;
  memory_mib: number;
  disk_gib: number;
  /** 1 micro-ngwee = 1e-6 ngwee. */
  hourly_price_micro_ngwee: number;
  monthly_cap_ngwee: number;
  active: Defaulted<boolean>;
  created_at: Date;
  updated_at: Date;
}

/** IPv4 addresses as integers. */
export interface IpPoolsTable {
  id: Generated<string>;
  name: string;
  network: number;
  prefix: number;
  gateway: number;
  range_first: number;
  range_last: number;
  public: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface IpPoolNodesTable {
  pool_id: string;
  node_id: string;
}

export interface IpAddressesTable {
  id: Generated<string>;
  pool_id: string;
  address: number;
  allocated_at: Date | null;
}

/** A VM held by the simulator hypervisor on one simulated node (its own state, not SwiftCloud's). */
export interface SimulatedVmsTable {
  node_id: string;
  vmid: number;
  name: string;
  /** JSON, written as a string. */
  spec: ColumnType<VmSpec, string, string>;
  configured: Defaulted<boolean>;
  power_state: 'running' | 'stopped' | 'paused';
  created_at: Date;
  updated_at: Date;
}

export type VmStatusValue =
  'provisioning' | 'running' | 'stopped' | 'suspended' | 'error' | 'deleting';
export type VmPowerState = 'running' | 'stopped' | 'paused' | 'unknown';
export type VmActionType =
  'create' | 'start' | 'stop' | 'shutdown' | 'reboot' | 'reset' | 'delete' | 'suspend';
export type VmActionStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** A customer VM; rows of deleted VMs stay (deleted_at set) for billing and the audit trail. */
export interface VmsTable {
  id: Generated<string>;
  project_id: string;
  name: string;
  status: VmStatusValue;
  power_state: VmPowerState;
  template_id: string;
  size_id: string;
  vcpus: number;
  memory_mib: number;
  disk_gib: number;
  node_id: string;
  /** From the vm_hypervisor_ids sequence. */
  hypervisor_id: Generated<number>;
  public_ip: boolean;
  ip_address: string | null;
  ip_pool_id: string | null;
  ssh_key: string;
  error: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface VmActionsTable {
  id: Generated<string>;
  seq: Generated<number>;
  vm_id: string;
  type: VmActionType;
  status: VmActionStatus;
  error: string | null;
  job_id: string | null;
  requested_by: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface VmConsoleTicketsTable {
  /** SHA-256 of the ticket, hex. */
  ticket_hash: string;
  vm_id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export type LedgerAccountKind =
  'wallet' | 'promotions' | 'compute_revenue' | 'ip_revenue' | 'adjustments';
export type JournalEntryKind = 'usage' | 'coupon' | 'adjustment' | 'reversal';

export interface LedgerAccountsTable {
  id: Generated<string>;
  kind: LedgerAccountKind;
  /** Set for wallets only. */
  project_id: string | null;
  created_at: Defaulted<Date>;
}

/** Append-only (a trigger refuses UPDATE and DELETE). */
export interface JournalEntriesTable {
  id: Generated<string>;
  idempotency_key: string;
  kind: JournalEntryKind;
  project_id: string;
  memo: Defaulted<string>;
  actor_user_id: string | null;
  reverses_entry_id: string | null;
  created_at: Date;
}

export interface JournalPostingsTable {
  id: Generated<number>;
  entry_id: string;
  account_id: string;
  /** Signed: positive adds to the account. */
  amount_ngwee: number;
}

export type UsageResourceType = 'vm' | 'public_ip';

export interface UsageChargesTable {
  resource_type: UsageResourceType;
  vm_id: string;
  /** The start of the charged UTC hour. */
  hour: Date;
  project_id: string;
  month_hour: number;
  hourly_price_micro_ngwee: number;
  monthly_cap_ngwee: number | null;
  amount_ngwee: number;
  entry_id: string | null;
}

export interface MeterStateTable {
  id: number;
  last_run_at: Date;
}

export interface CouponsTable {
  id: Generated<string>;
  code: string;
  amount_ngwee: number;
  max_redemptions: number | null;
  redemptions: Defaulted<number>;
  valid_from: Date | null;
  valid_until: Date | null;
  active: Defaulted<boolean>;
  new_projects_only: Defaulted<boolean>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export type PaymentMethod = 'coupon' | 'admin_credit' | 'mobile_money';
export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

export interface PaymentsTable {
  id: Generated<string>;
  seq: Generated<number>;
  project_id: string;
  amount_ngwee: number;
  method: PaymentMethod;
  reference: string;
  status: PaymentStatus;
  entry_id: string | null;
  created_at: Date;
}

export interface CouponRedemptionsTable {
  coupon_id: string;
  project_id: string;
  user_id: string | null;
  payment_id: string;
  created_at: Date;
}

export interface ProjectBillingTable {
  project_id: string;
  low_balance_notified_hours: number | null;
  zero_since: Date | null;
  suspended_at: Date | null;
}

export type BillingEventType = 'low_balance' | 'grace_started' | 'suspended' | 'suspension_lifted';

export interface BillingEventsTable {
  id: Generated<string>;
  seq: Generated<number>;
  project_id: string;
  type: BillingEventType;
  threshold_hours: number | null;
  balance_ngwee: number;
  hours_remaining: number | null;
  created_at: Date;
}

export interface TopupThrottleTable {
  key: string;
  attempts: number;
  window_started_at: Date;
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
  nodes: NodesTable;
  templates: TemplatesTable;
  template_sources: TemplateSourcesTable;
  sizes: SizesTable;
  ip_pools: IpPoolsTable;
  ip_pool_nodes: IpPoolNodesTable;
  ip_addresses: IpAddressesTable;
  jobs: JobsTable;
  simulated_vms: SimulatedVmsTable;
  vms: VmsTable;
  vm_actions: VmActionsTable;
  vm_console_tickets: VmConsoleTicketsTable;
  ledger_accounts: LedgerAccountsTable;
  journal_entries: JournalEntriesTable;
  journal_postings: JournalPostingsTable;
  usage_charges: UsageChargesTable;
  meter_state: MeterStateTable;
  coupons: CouponsTable;
  payments: PaymentsTable;
  coupon_redemptions: CouponRedemptionsTable;
  project_billing: ProjectBillingTable;
  billing_events: BillingEventsTable;
  topup_throttle: TopupThrottleTable;
}

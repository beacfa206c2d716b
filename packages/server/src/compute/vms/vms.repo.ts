import { sql } from 'kysely';
import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import { paginate } from '../../db/paginate.js';
import type { VmActionStatus, VmActionType, VmPowerState, VmStatusValue } from '../../db/schema.js';

export interface VmRow {
  id: string;
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
  hypervisor_id: number;
  public_ip: boolean;
  ip_address: string | null;
  ip_pool_id: string | null;
  ssh_key: string;
  error: string | null;
  created_at: Date;
  deleted_at: Date | null;
  size_slug: string;
  template_slug: string;
}

export interface ActionRow {
  id: string;
  vm_id: string;
  type: VmActionType;
  status: VmActionStatus;
  error: string | null;
  job_id: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

const ACTION_COLUMNS = [
  'id',
  'vm_id',
  'type',
  'status',
  'error',
  'job_id',
  'created_at',
  'started_at',
  'completed_at',
] as const;

function vmQuery(db: Db) {
  return db
    .selectFrom('vms as v')
    .innerJoin('sizes as s', 's.id', 'v.size_id')
    .innerJoin('templates as t', 't.id', 'v.template_id')
    .select([
      'v.id',
      'v.project_id',
      'v.name',
      'v.status',
      'v.power_state',
      'v.template_id',
      'v.size_id',
      'v.vcpus',
      'v.memory_mib',
      'v.disk_gib',
      'v.node_id',
      'v.hypervisor_id',
      'v.public_ip',
      'v.ip_address',
      'v.ip_pool_id',
      'v.ssh_key',
      'v.error',
      'v.created_at',
      'v.deleted_at',
      's.slug as size_slug',
      't.slug as template_slug',
    ]);
}

/** A VM as first recorded: its row's columns, less what the database allocates. */
export type NewVm = Omit<VmRow, 'hypervisor_id' | 'size_slug' | 'template_slug'> & {
  created_by: string;
};

/** The VMs' rows; functions take the Db or the transaction they run in. */
export const vmsRepo = {
  /** A live VM (not deleted), or undefined. */
  find(db: Db, id: string): Promise<VmRow | undefined> {
    return vmQuery(db).where('v.id', '=', id).where('v.deleted_at', 'is', null).executeTakeFirst();
  },

  /** A VM whether or not it was deleted (jobs finishing their work). */
  findAny(db: Db, id: string): Promise<VmRow | undefined> {
    return vmQuery(db).where('v.id', '=', id).executeTakeFirst();
  },

  /** Locks the VM's row for a change of state; undefined when it is gone. */
  async lock(db: Db, id: string): Promise<VmRow | undefined> {
    const locked = await db
      .selectFrom('vms')
      .select('id')
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    return locked ? vmsRepo.find(db, id) : undefined;
  },

  async list(
    db: Db,
    projectId: string,
    page: Pagination,
  ): Promise<{ rows: VmRow[]; total: number }> {
    return paginate(
      vmQuery(db)
        .where('v.project_id', '=', projectId)
        .where('v.deleted_at', 'is', null)
        .orderBy('v.created_at')
        .orderBy('v.id'),
      page,
    );
  },

  /** Live VMs of a project, for billing's suspension and lifting. */
  listLive(db: Db, projectId: string): Promise<VmRow[]> {
    return vmQuery(db)
      .where('v.project_id', '=', projectId)
      .where('v.deleted_at', 'is', null)
      .orderBy('v.created_at')
      .execute();
  },

  /** Live VMs placed on a node (the reconciler). */
  listOnNode(db: Db, nodeId: string): Promise<VmRow[]> {
    return vmQuery(db).where('v.node_id', '=', nodeId).where('v.deleted_at', 'is', null).execute();
  },

  /** Records the VM; answers the hypervisor id the database allocated for it. */
  async insert(db: Db, vm: NewVm): Promise<number> {
    const row = await db
      .insertInto('vms')
      .values({ ...vm, updated_at: vm.created_at })
      .returning('hypervisor_id')
      .executeTakeFirstOrThrow();
    return row.hypervisor_id;
  },

  async update(
    db: Db,
    id: string,
    values: Partial<{
      status: VmStatusValue;
      power_state: VmPowerState;
      ip_address: string | null;
      ip_pool_id: string | null;
      error: string | null;
      deleted_at: Date | null;
    }>,
    now: Date,
  ): Promise<void> {
    await db
      .updateTable('vms')
      .set({ ...values, updated_at: now })
      .where('id', '=', id)
      .execute();
  },
};

export const actionsRepo = {
  async insert(
    db: Db,
    a: {
      id: string;
      vmId: string;
      type: VmActionType;
      jobId: string;
      requestedBy: string | null;
      now: Date;
    },
  ): Promise<ActionRow> {
    return db
      .insertInto('vm_actions')
      .values({
        id: a.id,
        job_id: a.jobId,
        vm_id: a.vmId,
        type: a.type,
        status: 'pending',
        requested_by: a.requestedBy,
        created_at: a.now,
      })
      .returning(ACTION_COLUMNS)
      .executeTakeFirstOrThrow();
  },

  find(db: Db, id: string): Promise<ActionRow | undefined> {
    return db
      .selectFrom('vm_actions')
      .select(ACTION_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
  },

  /** The VM's pending or running action, if any. */
  open(db: Db, vmId: string): Promise<ActionRow | undefined> {
    return db
      .selectFrom('vm_actions')
      .select(ACTION_COLUMNS)
      .where('vm_id', '=', vmId)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
  },

  async list(
    db: Db,
    vmId: string,
    page: Pagination,
  ): Promise<{ rows: ActionRow[]; total: number }> {
    return paginate(
      db
        .selectFrom('vm_actions')
        .select(ACTION_COLUMNS)
        .where('vm_id', '=', vmId)
        .orderBy('seq', 'desc'),
      page,
    );
  },

  /** Marks the action running, once (a retried job finds it running already). */
  async start(db: Db, id: string, now: Date): Promise<void> {
    await db
      .updateTable('vm_actions')
      .set({ status: 'running', started_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  },

  /** Ends an open action; false when it had ended already. */
  async finish(
    db: Db,
    id: string,
    outcome: { status: 'succeeded' | 'failed'; error?: string | null },
    now: Date,
  ): Promise<boolean> {
    const r = await db
      .updateTable('vm_actions')
      .set({
        status: outcome.status,
        error: outcome.error ?? null,
        completed_at: now,
        started_at: sql<Date>`coalesce(started_at, ${now})`,
      })
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};

import { randomUUID } from 'node:crypto';
import type { Action, PowerActionName } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import type { VmActionType } from '../../db/schema.js';
import { apiTime } from '../../platform/clock.js';
import { Conflict, InsufficientFunds, NotFound } from '../../platform/errors.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { actionsRepo, vmsRepo, type ActionRow, type VmRow } from './vms.repo.js';

/** The job that carries out each kind of action. */
export const VM_JOB_KINDS = {
  create: 'vm.provision',
  delete: 'vm.delete',
  power: 'vm.power',
} as const;

export interface VmJobPayload {
  vmId: string;
  actionId: string;
}

export function actionView(row: ActionRow): Action {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    vmId: row.vm_id,
    error: row.error,
    startedAt: row.started_at ? apiTime(row.started_at) : null,
    completedAt: row.completed_at ? apiTime(row.completed_at) : null,
    createdAt: apiTime(row.created_at),
  };
}

/**
 * Records an action of the VM and queues the job that carries it out, in `tx` (the
 * transaction of the VM's change): both exist exactly when the change commits.
 */
export async function queueAction(
  jobs: JobQueue,
  tx: Db,
  a: { vmId: string; type: VmActionType; requestedBy: string | null; now: Date },
): Promise<ActionRow> {
  const actionId = randomUUID();
  const kind =
    a.type === 'create'
      ? VM_JOB_KINDS.create
      : a.type === 'delete'
        ? VM_JOB_KINDS.delete
        : VM_JOB_KINDS.power;
  const payload: VmJobPayload = { vmId: a.vmId, actionId };
  const job = await jobs.enqueue(tx, { kind, payload, resource: { type: 'vm', id: a.vmId } });
  return actionsRepo.insert(tx, { ...a, id: actionId, jobId: job.id });
}

/** Locks the VM's row in `tx` and refuses when another action is open, naming it. */
export async function lockForAction(tx: Db, vmId: string): Promise<VmRow> {
  const vm = await vmsRepo.lock(tx, vmId);
  if (!vm) throw new NotFound('VM');
  const open = await actionsRepo.open(tx, vmId);
  if (open) {
    throw new Conflict(
      `VM ${vm.name} is busy with a ${open.type} action (${open.id}, ${open.status}); try again when it has finished`,
    );
  }
  return vm;
}

/** Which power actions each status allows; anything else is CONFLICT (or 402) saying why. */
export function refusePower(vm: VmRow, action: PowerActionName): void {
  const name = vm.name;
  switch (vm.status) {
    case 'provisioning':
      throw new Conflict(`VM ${name} is still being provisioned; wait until it is running`);
    case 'deleting':
      throw new Conflict(`VM ${name} is being deleted`);
    case 'error':
      throw new Conflict(
        `VM ${name} is in error (${vm.error ?? 'unknown'}); delete it and create it again`,
      );
    case 'suspended':
      if (action === 'start') {
        throw new InsufficientFunds(
          `VM ${name} is suspended because the project's balance ran out; top up the project to start it`,
        );
      }
      throw new Conflict(`VM ${name} is suspended and powered off; it cannot ${action}`);
    case 'running':
      if (action === 'start') throw new Conflict(`VM ${name} is running already`);
      return;
    case 'stopped':
      if (action !== 'start') throw new Conflict(`VM ${name} is stopped; it cannot ${action}`);
      return;
  }
}

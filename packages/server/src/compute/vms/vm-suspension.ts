import type { Db } from '../../db/database.js';
import type { AuditLog } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { queueAction } from './vm-actions.js';
import { actionsRepo, vmsRepo, type VmRow } from './vms.repo.js';

/**
 * What billing's zero-balance policy asks of compute (its `ProjectSuspension`): power a
 * project's VMs off and show them `suspended`, and let them run again after a top-up. Both
 * are safe to repeat: a VM busy with another action, provisioning or deleting is left for
 * the next call.
 */
export class VmSuspension {
  constructor(private readonly deps: { db: Db; jobs: JobQueue; audit: AuditLog; clock: Clock }) {}

  /** Powers off (ACPI shutdown, then stop) the project's running and stopped VMs. Returns how many. */
  suspendProject(projectId: string): Promise<number> {
    return this.forEachIdle(projectId, 'vm.suspend', async (tx, vm, now) => {
      if (vm.status !== 'running' && vm.status !== 'stopped') return null;
      await vmsRepo.update(tx, vm.id, { status: 'suspended' }, now);
      await queueAction(this.deps.jobs, tx, {
        vmId: vm.id,
        type: 'suspend',
        requestedBy: null,
        now,
      });
      return { reason: 'balance exhausted' };
    });
  }

  /** Suspended VMs become `stopped`, or are started when `restart`. Returns how many. */
  liftSuspension(projectId: string, opts: { restart: boolean }): Promise<number> {
    return this.forEachIdle(projectId, 'vm.unsuspend', async (tx, vm, now) => {
      if (vm.status !== 'suspended') return null;
      await vmsRepo.update(tx, vm.id, { status: 'stopped' }, now);
      if (opts.restart) {
        await queueAction(this.deps.jobs, tx, {
          vmId: vm.id,
          type: 'start',
          requestedBy: null,
          now,
        });
      }
      return { restart: opts.restart };
    });
  }

  /**
   * Runs `change` on each live VM of the project with no open action, each in a transaction
   * of its own with the VM's row locked, and records what it did in the audit trail (`change`
   * answers the details, or null when it left the VM alone). Returns how many it changed.
   */
  private async forEachIdle(
    projectId: string,
    action: string,
    change: (tx: Db, vm: VmRow, now: Date) => Promise<Record<string, unknown> | null>,
  ): Promise<number> {
    const { db, audit, clock } = this.deps;
    let changed = 0;
    for (const { id } of await vmsRepo.listLive(db, projectId)) {
      const now = clock.now();
      const done = await db.transaction().execute(async (tx) => {
        const vm = await vmsRepo.lock(tx, id);
        if (!vm || (await actionsRepo.open(tx, vm.id))) return false;
        const details = await change(tx, vm, now);
        if (!details) return false;
        await audit.record(
          {
            actorUserId: null,
            action,
            targetType: 'vm',
            targetId: vm.id,
            projectId,
            details: { name: vm.name, ...details },
            at: now,
          },
          tx,
        );
        return true;
      });
      if (done) changed += 1;
    }
    return changed;
  }
}

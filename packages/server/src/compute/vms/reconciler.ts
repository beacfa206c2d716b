import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { VmPowerState, VmStatusValue } from '../../db/schema.js';
import type { Clock } from '../../platform/clock.js';
import type { HypervisorRegistry } from '../hypervisor/registry.js';
import { statusAfterPower } from './vm.jobs.js';
import { actionsRepo, vmsRepo } from './vms.repo.js';

export interface ReconcileLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface Drift {
  vmId: string;
  name: string;
  node: string;
  from: { status: string; powerState: string };
  to: { status: string; powerState: string };
}

export interface ReconcileReport {
  nodes: number;
  /** Nodes that could not be asked (down, refusing): their VMs were left as they were. */
  unreachable: string[];
  checked: number;
  corrected: Drift[];
}

/**
 * Compares SwiftCloud's VMs with what each node says and corrects the database: a VM
 * powered off or on outside SwiftCloud shows its real power state, and a VM its node no
 * longer has shows `error`. VMs with an open action are left to their action's job, and so
 * are VMs still provisioning or being deleted. Each correction is written only if the VM
 * is unchanged since it was read (the row is locked and re-read), so a reconciler never
 * overwrites what an action just did, and two servers reconciling at once agree.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: {
      db: Db;
      registry: HypervisorRegistry;
      clock: Clock;
      logger?: ReconcileLogger;
    },
  ) {}

  async reconcileOnce(): Promise<ReconcileReport> {
    const { db } = this.deps;
    const nodes = await db
      .selectFrom('nodes')
      .select(['id', 'name'])
      .where('active', '=', true)
      .execute();
    const report: ReconcileReport = {
      nodes: nodes.length,
      unreachable: [],
      checked: 0,
      corrected: [],
    };
    for (const node of nodes) {
      let found: Map<number, VmPowerState>;
      try {
        const driver = await this.deps.registry.driverFor(node.id);
        found = new Map((await driver.listVms()).map((v) => [v.vmid, v.powerState]));
      } catch (err) {
        report.unreachable.push(node.name);
        this.deps.logger?.warn(
          { err, node: node.name },
          "reconciler could not list the node's VMs",
        );
        continue;
      }
      for (const vm of await vmsRepo.listOnNode(db, node.id)) {
        if (vm.status === 'provisioning' || vm.status === 'deleting') continue;
        report.checked += 1;
        const power = found.get(vm.hypervisor_id);
        const drift = await db.transaction().execute(async (tx) => {
          const current = await vmsRepo.lock(tx, vm.id);
          if (!current || current.status === 'provisioning' || current.status === 'deleting')
            return null;
          if (await actionsRepo.open(tx, vm.id)) return null;
          let status: VmStatusValue = current.status;
          let powerState: VmPowerState;
          let error = current.error;
          if (power === undefined) {
            if (current.status === 'error') return null;
            status = 'error';
            powerState = 'unknown';
            error = `The VM is missing on node ${node.name}`;
          } else {
            powerState = power;
            status = statusAfterPower(current.status, power);
          }
          if (status === current.status && powerState === current.power_state) return null;
          const now = this.deps.clock.now();
          await vmsRepo.update(tx, vm.id, { status, power_state: powerState, error }, now);
          return {
            vmId: vm.id,
            name: vm.name,
            node: node.name,
            from: { status: current.status, powerState: current.power_state },
            to: { status, powerState },
          } satisfies Drift;
        });
        if (drift) {
          report.corrected.push(drift);
          this.deps.logger?.info(drift, 'reconciler corrected a VM that drifted');
        }
      }
    }
    await recountNodeUsage(db);
    return report;
  }

  /** Reconciles every `intervalMs` until `stop()`; a failed round is logged and the next one runs. */
  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.reconcileOnce()
        .catch((err: unknown) => this.deps.logger?.warn({ err }, 'reconciliation failed'))
        .finally(() => {
          this.running = undefined;
          if (this.timer) schedule();
        });
    };
    const schedule = () => {
      this.timer = setTimeout(tick, intervalMs);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * Sets every node's reserved memory and disk to what its live VMs take. Placement keeps
 * these counters transactionally; recounting heals any drift (an operator's manual change).
 */
export async function recountNodeUsage(db: Db): Promise<void> {
  // Lock the nodes first: placements in flight finish (or wait), and the recount's own
  // statement then reads a snapshot taken after them.
  await db.transaction().execute(async (tx) => {
    await tx.selectFrom('nodes').select('id').orderBy('id').forUpdate().execute();
    await sql`
    update nodes n
       set used_memory_mib = coalesce(u.memory, 0), used_disk_gib = coalesce(u.disk, 0)
      from nodes m
      left join (select node_id, sum(memory_mib) as memory, sum(disk_gib) as disk
                   from vms where deleted_at is null group by node_id) u on u.node_id = m.id
     where n.id = m.id
       and (n.used_memory_mib, n.used_disk_gib) is distinct from (coalesce(u.memory, 0), coalesce(u.disk, 0))`.execute(
      tx,
    );
  });
}

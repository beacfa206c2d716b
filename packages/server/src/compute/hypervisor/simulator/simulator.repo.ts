import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../platform/clock.js';
import type { VmSpec } from '../port.js';

export type SimulatedPowerState = 'running' | 'stopped' | 'paused';

export interface SimulatedVm {
  vmid: number;
  name: string;
  spec: VmSpec;
  configured: boolean;
  powerState: SimulatedPowerState;
}

export interface NodeSize {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

/** What an attempt to clone a VM onto the node came to. */
export type CloneOutcome =
  | { kind: 'cloned' }
  | { kind: 'exists'; vm: SimulatedVm }
  | { kind: 'full'; resource: 'memory' | 'disk'; asked: number; free: number };

/** The simulated VMs of one node, in the `simulated_vms` table. */
export class SimulatedVmsRepo {
  constructor(
    private readonly db: Db,
    private readonly nodeId: string,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<SimulatedVm[]> {
    const rows = await this.db
      .selectFrom('simulated_vms')
      .selectAll()
      .where('node_id', '=', this.nodeId)
      .orderBy('vmid')
      .execute();
    return rows.map(toVm);
  }

  async get(vmid: number, db: Db = this.db): Promise<SimulatedVm | null> {
    const row = await db
      .selectFrom('simulated_vms')
      .selectAll()
      .where('node_id', '=', this.nodeId)
      .where('vmid', '=', vmid)
      .executeTakeFirst();
    return row ? toVm(row) : null;
  }

  /** Memory and disk that the node's VMs hold, whether running or not (as their disks do). */
  async usage(db: Db = this.db): Promise<{ memoryMiB: number; diskGiB: number }> {
    const row = await db
      .selectFrom('simulated_vms')
      .select([
        sql<number>`coalesce(sum((spec->>'memoryMiB')::bigint), 0)::bigint`.as('memory'),
        sql<number>`coalesce(sum((spec->>'diskGiB')::bigint), 0)::bigint`.as('disk'),
      ])
      .where('node_id', '=', this.nodeId)
      .executeTakeFirstOrThrow();
    return { memoryMiB: Number(row.memory), diskGiB: Number(row.disk) };
  }

  /**
   * Adds the VM, stopped and not yet configured, when the node has room for it. Concurrent
   * clones onto one node (from any server instance) take turns, so they never overcommit it.
   */
  async cloneWithinCapacity(spec: VmSpec, size: NodeSize): Promise<CloneOutcome> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`simulated-node:${this.nodeId}`}))`.execute(
        trx,
      );
      const existing = await this.get(spec.vmid, trx);
      if (existing) return { kind: 'exists', vm: existing };
      const used = await this.usage(trx);
      const freeMemory = size.memoryMiB - used.memoryMiB;
      if (spec.memoryMiB > freeMemory) {
        return { kind: 'full', resource: 'memory', asked: spec.memoryMiB, free: freeMemory };
      }
      const freeDisk = size.diskGiB - used.diskGiB;
      if (spec.diskGiB > freeDisk) {
        return { kind: 'full', resource: 'disk', asked: spec.diskGiB, free: freeDisk };
      }
      const now = this.clock.now();
      await trx
        .insertInto('simulated_vms')
        .values({
          node_id: this.nodeId,
          vmid: spec.vmid,
          name: spec.name,
          spec: JSON.stringify(spec),
          configured: false,
          power_state: 'stopped',
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { kind: 'cloned' };
    });
  }

  async configure(spec: VmSpec): Promise<void> {
    await this.db
      .updateTable('simulated_vms')
      .set({ spec: JSON.stringify(spec), configured: true, updated_at: this.clock.now() })
      .where('node_id', '=', this.nodeId)
      .where('vmid', '=', spec.vmid)
      .execute();
  }

  async setPowerState(vmid: number, state: SimulatedPowerState): Promise<void> {
    await this.db
      .updateTable('simulated_vms')
      .set({ power_state: state, updated_at: this.clock.now() })
      .where('node_id', '=', this.nodeId)
      .where('vmid', '=', vmid)
      .execute();
  }

  async delete(vmid: number): Promise<void> {
    await this.db
      .deleteFrom('simulated_vms')
      .where('node_id', '=', this.nodeId)
      .where('vmid', '=', vmid)
      .execute();
  }
}

function toVm(row: {
  vmid: number;
  name: string;
  spec: VmSpec;
  configured: boolean;
  power_state: SimulatedPowerState;
}): SimulatedVm {
  return {
    vmid: row.vmid,
    name: row.name,
    spec: row.spec,
    configured: row.configured,
    powerState: row.power_state,
  };
}

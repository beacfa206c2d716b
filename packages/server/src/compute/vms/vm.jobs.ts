import type { Db } from '../../db/database.js';
import type { VmPowerState, VmStatusValue } from '../../db/schema.js';
import type { Clock } from '../../platform/clock.js';
import {
  describeError,
  isTransient,
  type JobContext,
  type JobHandlers,
} from '../../platform/jobs/job.js';
import type { HypervisorRegistry } from '../hypervisor/registry.js';
import type { HypervisorDriver, PowerAction, VmSpec } from '../hypervisor/port.js';
import type { IpAllocator } from '../ip-pools/ip-allocator.js';
import { formatIpv4 } from '../ip-pools/ipv4.js';
import { releasePlacement } from './placement.js';
import { VM_JOB_KINDS, type VmJobPayload } from './vm-actions.js';
import { actionsRepo, vmsRepo, type ActionRow, type VmRow } from './vms.repo.js';

export interface VmJobDeps {
  db: Db;
  registry: HypervisorRegistry;
  ipAllocator: IpAllocator;
  clock: Clock;
  /** How long an ACPI shutdown waits before it falls back to stop. */
  shutdownTimeoutSec: number;
  /** The resolvers cloud-init gives every VM. */
  nameservers: string[];
}

/**
 * The jobs that carry out VM actions. Each is idempotent (a retry, or another server taking
 * over an expired lease, runs it again from the start): the drivers' calls are safe to
 * repeat, and every record is written only while the action is still open.
 *
 * A transient failure (timeout, lock, 5xx) is thrown back for the runner to retry with
 * backoff; a permanent one, or the last attempt's, ends the action `failed` with the
 * hypervisor's own message, after undoing what it can (a failed provisioning deletes the
 * half-made VM and gives its address back).
 */
export function vmJobHandlers(deps: VmJobDeps): JobHandlers {
  return {
    [VM_JOB_KINDS.create]: (ctx) => provision(deps, ctx),
    [VM_JOB_KINDS.power]: (ctx) => power(deps, ctx),
    [VM_JOB_KINDS.delete]: (ctx) => remove(deps, ctx),
  };
}

function payloadOf(ctx: JobContext): VmJobPayload {
  const p = ctx.job.payload as Partial<VmJobPayload> | null;
  if (!p || typeof p.vmId !== 'string' || typeof p.actionId !== 'string') {
    throw new Error(`job ${ctx.job.id} has no vmId and actionId in its payload`);
  }
  return { vmId: p.vmId, actionId: p.actionId };
}

/**
 * The VM, its action (now marked running) and its node's driver; null when the action
 * ended already (nothing left to do).
 */
async function begin(
  deps: VmJobDeps,
  ctx: JobContext,
): Promise<{ vm: VmRow; action: ActionRow; driver: HypervisorDriver } | null> {
  const { vmId, actionId } = payloadOf(ctx);
  const action = await actionsRepo.find(deps.db, actionId);
  const vm = await vmsRepo.findAny(deps.db, vmId);
  if (!action || !vm || (action.status !== 'pending' && action.status !== 'running')) return null;
  await actionsRepo.start(deps.db, action.id, deps.clock.now());
  return { vm, action, driver: await deps.registry.driverFor(vm.node_id) };
}

const SKIPPED = { skipped: 'the action had ended' };

/**
 * Runs `work`; on a failure that retrying will not mend (or on the last attempt) runs
 * `fail` with the error's full text before rethrowing, so that the runner records the job
 * failed too. A job that lost its lease records nothing: another runner has it.
 */
async function settle<T>(
  ctx: JobContext,
  work: () => Promise<T>,
  fail: (error: string) => Promise<void>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (isTransient(err) && ctx.job.attempts < ctx.job.maxAttempts) throw err;
    await fail(describeError(err));
    throw err;
  }
}

async function provision(deps: VmJobDeps, ctx: JobContext): Promise<unknown> {
  const begun = await begin(deps, ctx);
  if (!begun) return SKIPPED;
  const { vm, action, driver } = begun;
  return settle(
    ctx,
    async () => {
      const spec = await specOf(deps, vm);
      // A runner that is stopping (or lost the lease) stops between steps; the job is
      // taken up again from the start, and each step finds what was done already.
      ctx.signal.throwIfAborted();
      await driver.createVm(spec);
      await ctx.heartbeat();
      await driver.power(vm.hypervisor_id, 'start');
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        if (!(await actionsRepo.finish(tx, action.id, { status: 'succeeded' }, now))) return;
        await vmsRepo.update(tx, vm.id, { status: 'running', power_state: 'running' }, now);
      });
      return { vmid: vm.hypervisor_id, status: 'running' };
    },
    async (error) => {
      // Undo: the half-made VM on the node, then the address. A node that cannot delete
      // it now leaves it for an operator; the error says so.
      let message = error;
      try {
        await driver.deleteVm(vm.hypervisor_id);
      } catch (undoErr) {
        message += `\n(the half-made VM ${vm.hypervisor_id} could not be removed from the node: ${describeError(undoErr)})`;
      }
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        if (!(await actionsRepo.finish(tx, action.id, { status: 'failed', error: message }, now)))
          return;
        if (vm.ip_address) await deps.ipAllocator.release(tx, vm.ip_address);
        await vmsRepo.update(
          tx,
          vm.id,
          {
            status: 'error',
            power_state: 'stopped',
            error: message,
            ip_address: null,
            ip_pool_id: null,
          },
          now,
        );
      });
    },
  );
}

async function power(deps: VmJobDeps, ctx: JobContext): Promise<unknown> {
  const begun = await begin(deps, ctx);
  if (!begun) return SKIPPED;
  const { vm, action, driver } = begun;
  // A suspension powers off gently: ACPI first, then a hard stop after the timeout.
  const hypervisorAction: PowerAction =
    action.type === 'suspend' ? 'shutdown' : (action.type as PowerAction);
  const record = async (outcome: { status: 'succeeded' | 'failed'; error?: string }) => {
    const found = await driver.status(vm.hypervisor_id).catch(() => null);
    const powerState: VmPowerState = found ? found.powerState : 'unknown';
    const now = deps.clock.now();
    await deps.db.transaction().execute(async (tx) => {
      if (!(await actionsRepo.finish(tx, action.id, outcome, now))) return;
      const current = await vmsRepo.lock(tx, vm.id);
      if (!current) return;
      await vmsRepo.update(
        tx,
        vm.id,
        { power_state: powerState, status: statusAfterPower(current.status, powerState) },
        now,
      );
    });
  };
  return settle(
    ctx,
    async () => {
      await driver.power(vm.hypervisor_id, hypervisorAction, {
        shutdownTimeoutSec: deps.shutdownTimeoutSec,
      });
      await record({ status: 'succeeded' });
      return { action: action.type };
    },
    (error) => record({ status: 'failed', error }),
  );
}

async function remove(deps: VmJobDeps, ctx: JobContext): Promise<unknown> {
  const begun = await begin(deps, ctx);
  if (!begun) return SKIPPED;
  const { vm, action, driver } = begun;
  return settle(
    ctx,
    async () => {
      await driver.deleteVm(vm.hypervisor_id);
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        if (!(await actionsRepo.finish(tx, action.id, { status: 'succeeded' }, now))) return;
        const current = await vmsRepo.findAny(tx, vm.id);
        if (current?.ip_address) await deps.ipAllocator.release(tx, current.ip_address);
        await releasePlacement(tx, vm.node_id, { memoryMiB: vm.memory_mib, diskGiB: vm.disk_gib });
        await vmsRepo.update(
          tx,
          vm.id,
          { power_state: 'stopped', ip_address: null, deleted_at: now },
          now,
        );
      });
      return { deleted: vm.hypervisor_id };
    },
    async (error) => {
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        if (!(await actionsRepo.finish(tx, action.id, { status: 'failed', error }, now))) return;
        await vmsRepo.update(tx, vm.id, { status: 'error', error }, now);
      });
    },
  );
}

/** The status a VM shows after its power state changed: suspension and errors stay. */
export function statusAfterPower(status: VmStatusValue, power: VmPowerState): VmStatusValue {
  if (status !== 'running' && status !== 'stopped') return status;
  if (power === 'running' || power === 'paused') return 'running';
  if (power === 'stopped') return 'stopped';
  return status;
}

/** What the node is asked to make: the size, the template's source on that node, the network. */
async function specOf(deps: VmJobDeps, vm: VmRow): Promise<VmSpec> {
  if (!vm.ip_address || !vm.ip_pool_id) throw new Error(`VM ${vm.name} has no IP address`);
  const found = await deps.db
    .selectFrom('templates as t')
    .leftJoin('template_sources as ts', (join) =>
      join.onRef('ts.template_id', '=', 't.id').on('ts.node_id', '=', vm.node_id),
    )
    .innerJoin('ip_pools as p', (join) => join.on('p.id', '=', vm.ip_pool_id!))
    .select(['t.slug', 't.os_family', 'ts.source', 'p.prefix', 'p.gateway'])
    .where('t.id', '=', vm.template_id)
    .executeTakeFirstOrThrow();
  if (!found.source) {
    throw new Error(`template ${found.slug} has no source on the VM's node any more`);
  }
  return {
    vmid: vm.hypervisor_id,
    name: vm.name,
    cores: vm.vcpus,
    memoryMiB: vm.memory_mib,
    diskGiB: vm.disk_gib,
    sourceTemplate: found.source,
    sshKeys: [vm.ssh_key],
    ciUser: cloudUser(found.os_family),
    network: {
      address: `${vm.ip_address}/${found.prefix}`,
      gateway: formatIpv4(found.gateway),
      nameservers: deps.nameservers,
    },
  };
}

/** The login cloud images create for the key: the distribution's own default user. */
function cloudUser(osFamily: string): string {
  return osFamily === 'windows' || osFamily === 'other' ? 'swiftcloud' : osFamily;
}

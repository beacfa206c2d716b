import type { Action, Vm, VmStatusName } from '@swiftcloud/contracts';

/** How often lists refresh while something is changing, and otherwise. */
export const POLL_BUSY_MS = 2_000;
export const POLL_IDLE_MS = 30_000;

const SETTLED: ReadonlySet<VmStatusName> = new Set(['running', 'stopped', 'suspended', 'error']);

export function vmIsBusyStatus(status: VmStatusName): boolean {
  return !SETTLED.has(status);
}

/** A VM is changing while it is being made or deleted, or its power follows a command. */
export function vmIsBusy(vm: Vm, actions: readonly Action[] = []): boolean {
  if (!SETTLED.has(vm.status)) return true;
  return actions.some(
    (a) => a.vmId === vm.id && (a.status === 'pending' || a.status === 'running'),
  );
}

/** The refresh interval of a page showing these VMs (and their actions). */
export function pollInterval(vms: readonly Vm[] | undefined, actions: readonly Action[] = []) {
  if (!vms) return POLL_IDLE_MS;
  return vms.some((vm) => vmIsBusy(vm, actions)) ? POLL_BUSY_MS : POLL_IDLE_MS;
}

export function statusLabel(status: VmStatusName): string {
  return {
    provisioning: 'Provisioning',
    running: 'Running',
    stopped: 'Stopped',
    suspended: 'Suspended (no funds)',
    error: 'Error',
    deleting: 'Deleting',
  }[status];
}

/** Which power buttons make sense in a status; the API refuses the others anyway. */
export function powerChoices(vm: Vm): { start: boolean; stop: boolean; reboot: boolean } {
  const on = vm.status === 'running';
  const off = vm.status === 'stopped' || vm.status === 'suspended' || vm.status === 'error';
  return { start: off, stop: on, reboot: on };
}

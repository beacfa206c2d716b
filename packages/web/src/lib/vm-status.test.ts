import type { Action, Vm } from '@swiftcloud/contracts';
import { describe, expect, it } from 'vitest';
import { POLL_BUSY_MS, POLL_IDLE_MS, pollInterval, powerChoices, vmIsBusy } from './vm-status';

function vm(status: Vm['status'], id = 'a'): Vm {
  return {
    id,
    name: 'web-1',
    status,
    powerState: status === 'running' ? 'running' : 'stopped',
    ipAddress: null,
    size: 'small',
    template: 'debian-12',
    createdAt: '2024-01-01T00:00:00Z',
    projectId: 'p',
    publicIp: false,
    nodeId: 'n',
    error: null,
  };
}

function action(status: Action['status'], vmId = 'a'): Action {
  return {
    id: 'x',
    type: 'stop',
    status,
    vmId,
    error: null,
    startedAt: null,
    completedAt: null,
    createdAt: '2024-01-01T00:00:00Z',
  };
}

describe('live VM status', () => {
  it('refreshes quickly while any VM is provisioning or deleting', () => {
    expect(pollInterval([vm('running'), vm('provisioning', 'b')])).toBe(POLL_BUSY_MS);
    expect(pollInterval([vm('deleting')])).toBe(POLL_BUSY_MS);
  });

  it('refreshes slowly when every VM has settled', () => {
    expect(pollInterval([vm('running'), vm('stopped', 'b'), vm('error', 'c')])).toBe(POLL_IDLE_MS);
    expect(pollInterval([])).toBe(POLL_IDLE_MS);
    expect(pollInterval(undefined)).toBe(POLL_IDLE_MS);
  });

  it("counts a running power action as the VM's own progress", () => {
    expect(vmIsBusy(vm('running'), [action('pending')])).toBe(true);
    expect(vmIsBusy(vm('running'), [action('running')])).toBe(true);
    expect(vmIsBusy(vm('running'), [action('succeeded'), action('failed')])).toBe(false);
    expect(vmIsBusy(vm('running'), [action('running', 'other')])).toBe(false);
    expect(pollInterval([vm('stopped')], [action('running')])).toBe(POLL_BUSY_MS);
  });

  it('offers start when off and stop or reboot when on', () => {
    expect(powerChoices(vm('running'))).toEqual({ start: false, stop: true, reboot: true });
    expect(powerChoices(vm('stopped'))).toEqual({ start: true, stop: false, reboot: false });
    expect(powerChoices(vm('provisioning'))).toEqual({ start: false, stop: false, reboot: false });
  });
});

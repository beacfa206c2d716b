import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HypervisorError,
  type HypervisorDriver,
  type VmSpec,
} from '../../src/compute/hypervisor/port.js';

/** A driver under the contract, on a node the suite may fill and break. */
export interface HypervisorContractSubject {
  driver: HypervisorDriver;
  /** The node's name for a template the suite may clone. */
  sourceTemplate: string;
  /** The first of a range of vmids free on the node (the suite uses up to 100 from here). */
  firstVmid: number;
  /**
   * Makes the node fail the next power action (all of its attempts, however the driver retries):
   * `transient` the way a busy node does (Proxmox: a config lock timeout), `permanent` the way a
   * refused action does (Proxmox: a failed task with its log).
   */
  failNextPower(kind: 'transient' | 'permanent'): void | Promise<void>;
  /** Checks the node saw nothing wrong (the Proxmox fake: zero schema violations). */
  verify?(): void;
  close(): Promise<void>;
}

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz0lRRvV7sXr7Hqf1v4bM2cQ7WvIY6vUo5h5c4YzqkQ ada@lusaka';

/**
 * The one contract every hypervisor driver passes: lifecycle, idempotence, listing,
 * capacity, console, and errors that say whether retrying may help.
 */
export function describeHypervisorContract(
  label: string,
  setup: () => Promise<HypervisorContractSubject>,
): void {
  describe(`hypervisor contract: ${label}`, () => {
    let subject: HypervisorContractSubject;
    let driver: HypervisorDriver;
    let next = 0;

    const spec = (overrides: Partial<VmSpec> = {}): VmSpec => {
      const vmid = subject.firstVmid + next++;
      return {
        vmid,
        name: `contract-${vmid}`,
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 20,
        sourceTemplate: subject.sourceTemplate,
        sshKeys: [ED25519],
        ciUser: 'ubuntu',
        network: { address: '192.0.2.10/24', gateway: '192.0.2.1', nameservers: ['1.1.1.1'] },
        ...overrides,
      };
    };

    const caught = async (work: Promise<unknown>): Promise<unknown> =>
      work.then(
        () => expect.fail('expected the driver to throw'),
        (err: unknown) => err,
      );

    beforeAll(async () => {
      subject = await setup();
      driver = subject.driver;
    });
    afterAll(async () => {
      subject.verify?.();
      await subject.close();
    });

    it('creates a stopped VM, starts, stops and deletes it, and then knows it no more', async () => {
      const vm = spec();
      await driver.createVm(vm);
      expect(await driver.status(vm.vmid)).toEqual({
        vmid: vm.vmid,
        name: vm.name,
        powerState: 'stopped',
      });
      await driver.power(vm.vmid, 'start');
      expect((await driver.status(vm.vmid))?.powerState).toBe('running');
      await driver.power(vm.vmid, 'stop');
      expect((await driver.status(vm.vmid))?.powerState).toBe('stopped');
      await driver.deleteVm(vm.vmid);
      expect(await driver.status(vm.vmid)).toBeNull();
    });

    it('creates the same VM twice without failing and without a second VM', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await driver.createVm(vm);
      const listed = (await driver.listVms()).filter((v) => v.vmid === vm.vmid);
      expect(listed).toEqual([{ vmid: vm.vmid, name: vm.name, powerState: 'stopped' }]);
      await driver.deleteVm(vm.vmid);
    });

    it('deletes a VM that does not exist as a success', async () => {
      await expect(driver.deleteVm(subject.firstVmid + 99)).resolves.toBeUndefined();
      expect(await driver.status(subject.firstVmid + 99)).toBeNull();
    });

    it('deletes a running VM', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await driver.power(vm.vmid, 'start');
      await driver.deleteVm(vm.vmid);
      expect(await driver.status(vm.vmid)).toBeNull();
    });

    it('lists the VMs it created with their power states', async () => {
      const a = spec();
      const b = spec();
      await driver.createVm(a);
      await driver.createVm(b);
      await driver.power(b.vmid, 'start');
      const listed = await driver.listVms();
      expect(listed).toEqual(
        expect.arrayContaining([
          { vmid: a.vmid, name: a.name, powerState: 'stopped' },
          { vmid: b.vmid, name: b.name, powerState: 'running' },
        ]),
      );
      await driver.deleteVm(a.vmid);
      await driver.deleteVm(b.vmid);
      const after = (await driver.listVms()).map((v) => v.vmid);
      expect(after).not.toContain(a.vmid);
      expect(after).not.toContain(b.vmid);
    });

    it('repeats start and stop on a VM already there as a success', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await driver.power(vm.vmid, 'stop');
      await driver.power(vm.vmid, 'start');
      await driver.power(vm.vmid, 'start');
      expect((await driver.status(vm.vmid))?.powerState).toBe('running');
      await driver.power(vm.vmid, 'shutdown', { shutdownTimeoutSec: 5 });
      expect((await driver.status(vm.vmid))?.powerState).toBe('stopped');
      await driver.deleteVm(vm.vmid);
    });

    it('reboots and resets a running VM, which stays running', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await driver.power(vm.vmid, 'start');
      await driver.power(vm.vmid, 'reboot');
      await driver.power(vm.vmid, 'reset');
      expect((await driver.status(vm.vmid))?.powerState).toBe('running');
      await driver.deleteVm(vm.vmid);
    });

    it('reports capacity with sane numbers', async () => {
      const capacity = await driver.capacity();
      expect(capacity.cpus).toBeGreaterThan(0);
      expect(capacity.memoryMiB).toBeGreaterThan(0);
      expect(capacity.diskGiB).toBeGreaterThan(0);
      for (const key of ['cpus', 'memoryMiB', 'diskGiB', 'usedMemoryMiB', 'usedDiskGiB'] as const) {
        expect(Number.isInteger(capacity[key]), key).toBe(true);
      }
      expect(capacity.usedMemoryMiB).toBeGreaterThanOrEqual(0);
      expect(capacity.usedMemoryMiB).toBeLessThanOrEqual(capacity.memoryMiB);
      expect(capacity.usedDiskGiB).toBeGreaterThanOrEqual(0);
      expect(capacity.usedDiskGiB).toBeLessThanOrEqual(capacity.diskGiB);
    });

    it('opens a console on a running VM', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await driver.power(vm.vmid, 'start');
      const endpoint = await driver.openConsole(vm.vmid);
      if (endpoint.kind === 'rfb') {
        expect(endpoint.port).toBeGreaterThan(0);
        expect(endpoint.host).not.toBe('');
      } else {
        expect(endpoint.url).toMatch(/^wss?:\/\//);
      }
      await driver.deleteVm(vm.vmid);
    });

    it('says a node refusing an action is a permanent failure, with its account', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await subject.failNextPower('permanent');
      const err = await caught(driver.power(vm.vmid, 'start'));
      expect(err).toBeInstanceOf(HypervisorError);
      expect((err as HypervisorError).transient).toBe(false);
      expect((err as HypervisorError).detail ?? '').not.toBe('');
      await driver.deleteVm(vm.vmid);
    });

    it('says a busy node (a lock timeout) is a transient failure, and the retry passes', async () => {
      const vm = spec();
      await driver.createVm(vm);
      await subject.failNextPower('transient');
      const err = await caught(driver.power(vm.vmid, 'start'));
      expect(err).toBeInstanceOf(HypervisorError);
      expect((err as HypervisorError).transient).toBe(true);
      await driver.power(vm.vmid, 'start');
      expect((await driver.status(vm.vmid))?.powerState).toBe('running');
      await driver.deleteVm(vm.vmid);
    });
  });
}

import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.js';
import { HypervisorError, type VmSpec } from '../src/compute/hypervisor/port.js';
import {
  SimulatorDriver,
  type SimulatorOptions,
} from '../src/compute/hypervisor/simulator/simulator.driver.js';
import { ZERO_STEP_DELAYS } from '../src/compute/hypervisor/simulator/simulator.faults.js';
import { cloneTestDatabase } from './support/database.js';

let database: DatabaseHandle;
const drivers: SimulatorDriver[] = [];

beforeAll(async () => {
  database = await cloneTestDatabase(inject('templateDump'));
});

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

afterAll(async () => {
  await database.close();
});

/** A simulator for a node of its own (no VM of another test is on it), with no delays unless asked. */
function simulator(options: Partial<SimulatorOptions> = {}): SimulatorDriver {
  const driver = new SimulatorDriver({
    db: database.db,
    nodeId: randomUUID(),
    capacity: { cpus: 16, memoryMiB: 65_536, diskGiB: 2_000 },
    delays: ZERO_STEP_DELAYS,
    ...options,
  });
  drivers.push(driver);
  return driver;
}

function spec(vmid: number, overrides: Partial<VmSpec> = {}): VmSpec {
  return {
    vmid,
    name: `vm-${vmid}`,
    cores: 1,
    memoryMiB: 1024,
    diskGiB: 20,
    sourceTemplate: 'ubuntu-24.04',
    sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ'],
    ciUser: 'ubuntu',
    network: { address: '192.0.2.10/24', gateway: '192.0.2.1', nameservers: ['192.0.2.53'] },
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<HypervisorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HypervisorError);
  return error as HypervisorError;
}

async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

describe('simulator lifecycle', () => {
  it('creates a stopped VM, starts it, stops it and deletes it', async () => {
    const sim = simulator();
    await sim.createVm(spec(100));
    expect(await sim.status(100)).toEqual({ vmid: 100, name: 'vm-100', powerState: 'stopped' });

    await sim.power(100, 'start');
    expect(await sim.status(100)).toEqual({ vmid: 100, name: 'vm-100', powerState: 'running' });
    expect(await sim.listVms()).toEqual([{ vmid: 100, name: 'vm-100', powerState: 'running' }]);

    await sim.power(100, 'stop');
    expect((await sim.status(100))?.powerState).toBe('stopped');

    await sim.deleteVm(100);
    expect(await sim.status(100)).toBeNull();
    expect(await sim.listVms()).toEqual([]);
  });

  it('reboots and resets a running VM, which stays running', async () => {
    const sim = simulator();
    await sim.createVm(spec(101));
    await sim.power(101, 'start');
    await sim.power(101, 'reboot');
    await sim.power(101, 'reset');
    expect((await sim.status(101))?.powerState).toBe('running');
  });

  it('refuses to reboot or reset a stopped VM, and any action on a VM it does not have', async () => {
    const sim = simulator();
    await sim.createVm(spec(102));
    for (const action of ['reboot', 'reset'] as const) {
      const error = await failureOf(sim.power(102, action));
      expect(error.transient).toBe(false);
      expect(error.message).toMatch(/not running/);
    }
    const missing = await failureOf(sim.power(999, 'start'));
    expect(missing.transient).toBe(false);
    expect(missing.message).toMatch(/no VM 999/);
  });

  it('deleting a running VM stops it first and closes its console', async () => {
    const sim = simulator();
    await sim.createVm(spec(103));
    await sim.power(103, 'start');
    const console = await sim.openConsole(103);
    if (console.kind !== 'rfb') throw new Error('expected an RFB console');
    await sim.deleteVm(103);
    expect(await sim.status(103)).toBeNull();
    expect(await portIsClosed(console.port)).toBe(true);
  });

  it('keeps the VMs of each node apart', async () => {
    const a = simulator();
    const b = simulator();
    await a.createVm(spec(104));
    expect(await b.listVms()).toEqual([]);
    expect(await b.status(104)).toBeNull();
  });

  it('refuses a spec that no node would take', async () => {
    const sim = simulator();
    for (const bad of [spec(5), spec(105, { name: 'Not_A_Label' }), spec(106, { memoryMiB: 0 })]) {
      expect((await failureOf(sim.createVm(bad))).transient).toBe(false);
    }
    expect(await sim.listVms()).toEqual([]);
  });
});

describe('simulator idempotency', () => {
  it('creating the same VM twice finishes it once', async () => {
    const sim = simulator();
    await sim.createVm(spec(110));
    await sim.createVm(spec(110));
    expect(await sim.listVms()).toEqual([{ vmid: 110, name: 'vm-110', powerState: 'stopped' }]);
  });

  it('refuses a vmid the node holds under another name', async () => {
    const sim = simulator();
    await sim.createVm(spec(111));
    const error = await failureOf(sim.createVm(spec(111, { name: 'other' })));
    expect(error.transient).toBe(false);
    expect(error.message).toMatch(/exists on the node as "vm-111"/);
  });

  it('a retried create finishes the configuration of a half-made VM', async () => {
    const sim = simulator();
    sim.inject({
      operation: 'createVm',
      afterClone: true,
      transient: true,
      message: 'configure: lock timeout',
      times: 1,
    });
    await failureOf(sim.createVm(spec(112)));
    const half = await database.db
      .selectFrom('simulated_vms')
      .select(['configured'])
      .where('vmid', '=', 112)
      .executeTakeFirstOrThrow();
    expect(half.configured).toBe(false);

    await sim.createVm(spec(112, { network: { ...spec(112).network, address: '192.0.2.99/24' } }));
    const done = await database.db
      .selectFrom('simulated_vms')
      .select(['configured', 'spec'])
      .where('vmid', '=', 112)
      .executeTakeFirstOrThrow();
    expect(done.configured).toBe(true);
    expect(done.spec.network.address).toBe('192.0.2.99/24');
  });

  it('starting a running VM, stopping a stopped one and deleting a missing one all succeed', async () => {
    const sim = simulator();
    await sim.createVm(spec(113));
    await sim.power(113, 'stop');
    await sim.power(113, 'shutdown');
    await sim.power(113, 'start');
    await sim.power(113, 'start');
    expect((await sim.status(113))?.powerState).toBe('running');
    await sim.deleteVm(113);
    await sim.deleteVm(113);
    await sim.deleteVm(4242);
    expect(await sim.listVms()).toEqual([]);
  });
});

describe('simulator capacity', () => {
  it('counts the memory and disk of its VMs and refuses a VM that does not fit', async () => {
    const sim = simulator({ capacity: { cpus: 8, memoryMiB: 4096, diskGiB: 100 } });
    expect(await sim.capacity()).toEqual({
      cpus: 8,
      memoryMiB: 4096,
      diskGiB: 100,
      usedMemoryMiB: 0,
      usedDiskGiB: 0,
    });
    await sim.createVm(spec(120, { memoryMiB: 2048, diskGiB: 40 }));
    await sim.createVm(spec(121, { memoryMiB: 2048, diskGiB: 40 }));
    expect(await sim.capacity()).toMatchObject({ usedMemoryMiB: 4096, usedDiskGiB: 80 });

    const memory = await failureOf(sim.createVm(spec(122, { memoryMiB: 512, diskGiB: 1 })));
    expect(memory.transient).toBe(false);
    expect(memory.message).toBe('not enough memory on the node: 512 MiB asked, 0 MiB free');

    await sim.deleteVm(121);
    const disk = await failureOf(sim.createVm(spec(123, { memoryMiB: 512, diskGiB: 61 })));
    expect(disk.transient).toBe(false);
    expect(disk.message).toBe('not enough disk on the node: 61 GiB asked, 60 GiB free');
    await sim.createVm(spec(124, { memoryMiB: 2048, diskGiB: 60 }));
    expect(await sim.capacity()).toMatchObject({ usedMemoryMiB: 4096, usedDiskGiB: 100 });
  });

  it('never overcommits the node under concurrent creates', async () => {
    const sim = simulator({ capacity: { cpus: 8, memoryMiB: 10 * 1024, diskGiB: 1000 } });
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => sim.createVm(spec(130 + i))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason.message).toMatch(/^not enough memory/);
    }
    expect((await sim.capacity()).usedMemoryMiB).toBe(10 * 1024);
  });
});

describe('simulator injected failures', () => {
  it('a transient failure given times fails that many calls, then the call works', async () => {
    const sim = simulator();
    sim.inject({ operation: 'createVm', transient: true, message: 'connection refused', times: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await failureOf(sim.createVm(spec(140)));
      expect(error.transient).toBe(true);
      expect(error.message).toBe('connection refused');
    }
    await sim.createVm(spec(140));
    expect(await sim.status(140)).not.toBeNull();
  });

  it('a permanent failure repeats until cleared, with the node’s own detail', async () => {
    const sim = simulator();
    sim.inject({
      operation: 'createVm',
      transient: false,
      message: 'clone failed: storage full',
      detail: 'TASK ERROR: clone failed: storage full',
    });
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(sim.createVm(spec(141)));
      expect(error.transient).toBe(false);
      expect(error.detail).toBe('TASK ERROR: clone failed: storage full');
    }
    expect(await sim.status(141)).toBeNull();
    sim.clearFailures();
    await sim.createVm(spec(141));
  });

  it('a power failure hits only the action and VM it names', async () => {
    const sim = simulator();
    await sim.createVm(spec(142));
    await sim.createVm(spec(143));
    sim.inject({
      operation: 'power',
      action: 'start',
      vmid: 142,
      transient: false,
      message: 'start failed',
    });
    expect((await failureOf(sim.power(142, 'start'))).message).toBe('start failed');
    await sim.power(143, 'start');
    await sim.power(142, 'stop');
    expect((await sim.status(142))?.powerState).toBe('stopped');
    expect((await sim.status(143))?.powerState).toBe('running');
  });

  it('failures can be injected into reads, deletion and consoles', async () => {
    const sim = simulator();
    await sim.createVm(spec(144));
    await sim.power(144, 'start');
    for (const operation of ['capacity', 'listVms', 'status', 'deleteVm', 'openConsole'] as const) {
      sim.inject({ operation, transient: true, message: `${operation} timed out`, times: 1 });
    }
    expect((await failureOf(sim.capacity())).message).toBe('capacity timed out');
    expect((await failureOf(sim.listVms())).message).toBe('listVms timed out');
    expect((await failureOf(sim.status(144))).message).toBe('status timed out');
    expect((await failureOf(sim.deleteVm(144))).message).toBe('deleteVm timed out');
    expect((await failureOf(sim.openConsole(144))).message).toBe('openConsole timed out');
    expect((await sim.status(144))?.powerState).toBe('running');
  });
});

describe('simulator delays', () => {
  it('takes the configured time over each step, and none when zero', async () => {
    const sim = simulator({ delays: { ...ZERO_STEP_DELAYS, clone: 150, start: 120 } });
    expect(await elapsedMs(() => sim.createVm(spec(150)))).toBeGreaterThanOrEqual(145);
    expect(await elapsedMs(() => sim.power(150, 'start'))).toBeGreaterThanOrEqual(115);
    sim.setDelays({ stop: 100 });
    expect(await elapsedMs(() => sim.power(150, 'stop'))).toBeGreaterThanOrEqual(95);
    // Idempotent calls skip the work and so its time.
    expect(await elapsedMs(() => sim.createVm(spec(150)))).toBeLessThan(145);
    sim.setDelays(ZERO_STEP_DELAYS);
    expect(await elapsedMs(() => sim.deleteVm(150))).toBeLessThan(100);
  });

  it('draws a step’s time from a range', async () => {
    const sim = simulator({ delays: { ...ZERO_STEP_DELAYS, configure: { minMs: 60, maxMs: 90 } } });
    const ms = await elapsedMs(() => sim.createVm(spec(151)));
    expect(ms).toBeGreaterThanOrEqual(55);
    expect(ms).toBeLessThan(400);
  });
});

describe('simulator shutdown', () => {
  it('a guest honouring ACPI powers off within the timeout', async () => {
    const sim = simulator({ delays: { ...ZERO_STEP_DELAYS, shutdown: 50 } });
    await sim.createVm(spec(160));
    await sim.power(160, 'start');
    const ms = await elapsedMs(() => sim.power(160, 'shutdown', { shutdownTimeoutSec: 5 }));
    expect(ms).toBeGreaterThanOrEqual(45);
    expect(ms).toBeLessThan(1000);
    expect((await sim.status(160))?.powerState).toBe('stopped');
  });

  it('a guest ignoring ACPI is stopped once the timeout has passed', async () => {
    const sim = simulator();
    await sim.createVm(spec(161));
    await sim.power(161, 'start');
    sim.ignoreAcpi(161);
    const ms = await elapsedMs(() => sim.power(161, 'shutdown', { shutdownTimeoutSec: 0.3 }));
    expect(ms).toBeGreaterThanOrEqual(295);
    expect((await sim.status(161))?.powerState).toBe('stopped');
  });

  it('a guest slower than the timeout is stopped at the timeout', async () => {
    const sim = simulator({ delays: { ...ZERO_STEP_DELAYS, shutdown: 5_000 } });
    await sim.createVm(spec(162));
    await sim.power(162, 'start');
    const ms = await elapsedMs(() => sim.power(162, 'shutdown', { shutdownTimeoutSec: 0.1 }));
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(2000);
    expect((await sim.status(162))?.powerState).toBe('stopped');
  });

  it('a guest powering itself off shows as stopped and its console closes', async () => {
    const sim = simulator();
    await sim.createVm(spec(163));
    await sim.power(163, 'start');
    const console = await sim.openConsole(163);
    if (console.kind !== 'rfb') throw new Error('expected an RFB console');
    await sim.guestPowerOff(163);
    expect((await sim.status(163))?.powerState).toBe('stopped');
    expect(await portIsClosed(console.port)).toBe(true);
  });
});

describe('simulator restart', () => {
  it('a new driver over the same database finds the VMs as they were, consoles included', async () => {
    const nodeId = randomUUID();
    const before = simulator({ nodeId });
    await before.createVm(spec(170));
    await before.createVm(spec(171, { memoryMiB: 2048 }));
    await before.power(170, 'start');
    await before.close();

    const after = simulator({ nodeId });
    expect(await after.listVms()).toEqual([
      { vmid: 170, name: 'vm-170', powerState: 'running' },
      { vmid: 171, name: 'vm-171', powerState: 'stopped' },
    ]);
    expect((await after.capacity()).usedMemoryMiB).toBe(3072);
    const console = await after.openConsole(170);
    expect(console).toMatchObject({ kind: 'rfb', host: '127.0.0.1' });
    await after.power(170, 'stop');
    await after.deleteVm(171);
    expect(await after.listVms()).toEqual([{ vmid: 170, name: 'vm-170', powerState: 'stopped' }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../src/app.js';
import { startComputeWorkers } from '../src/compute/compute.js';
import type { SimulatorDriver } from '../src/compute/hypervisor/simulator/simulator.driver.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { credit } from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import {
  actionEnded,
  isAllocated,
  seedCatalog,
  simulatorOf,
  sshPublicKey,
  vmStatus,
  waitFor,
} from './support/vms.js';

let t: TestApp;
let owner: SignedUpUser;
let projectId: string;
let nodeId: string;
let sim: SimulatorDriver;
const key = sshPublicKey();
let counter = 0;

beforeAll(async () => {
  t = await startTestApp({ SWIFTCLOUD_SIMULATOR_DELAYS: 'zero' });
  ({ nodeId } = await seedCatalog(t));
  sim = await simulatorOf(t, nodeId);
  owner = await signUp(t.api);
  projectId = (await owner.api.post('/v1/projects', { name: 'Operations' })).body.data.id;
  // Billing refuses a VM the project cannot pay an hour of.
  await credit(t, projectId, 1_000_000);
});
afterAll(() => t.close());

async function newVm(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const res = await owner.api.post('/v1/vms', {
    project_id: projectId,
    name: `ops-${counter}`,
    template: 'debian-12',
    size: 'small',
    ssh_key: key,
    public_ip: true,
    ...overrides,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.data as { id: string; name: string; ipAddress: string };
}

async function runningVm() {
  const vm = await newVm();
  await vmStatus(owner.api, vm.id, 'running');
  return vm;
}

async function hypervisorId(vmId: string): Promise<number> {
  const row = await t.database.db
    .selectFrom('vms')
    .select('hypervisor_id')
    .where('id', '=', vmId)
    .executeTakeFirstOrThrow();
  return row.hypervisor_id;
}

async function simulated(name: string) {
  return t.database.db
    .selectFrom('simulated_vms')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('name', '=', name)
    .execute();
}

async function jobOf(actionId: string) {
  const action = await t.database.db
    .selectFrom('vm_actions')
    .select('job_id')
    .where('id', '=', actionId)
    .executeTakeFirstOrThrow();
  return t.database.db
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', action.job_id!)
    .executeTakeFirstOrThrow();
}

describe('one action at a time per VM, and only those its state allows', () => {
  it('refuses a second action while one runs, naming the running one', async () => {
    const vm = await runningVm();
    sim.setDelays({ stop: 1_000 });
    try {
      const first = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' });
      expect(first.status).toBe(202);
      const second = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'reboot' });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('CONFLICT');
      expect(second.body.error.message).toContain(first.body.data.id);
      expect(second.body.error.message).toMatch(/busy with a stop action/);
      expect((await owner.api.delete(`/v1/vms/${vm.id}`)).status).toBe(409);
      expect((await actionEnded(owner.api, first.body.data.id)).status).toBe('succeeded');
    } finally {
      sim.setDelays({ stop: 0 });
    }
    expect((await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'start' })).status).toBe(202);
  });

  it('lets exactly one of many simultaneous actions through', async () => {
    const vm = await runningVm();
    // Slow enough that the first action is still open when the last request arrives.
    sim.setDelays({ stop: 1_500, start: 1_500, shutdown: 1_500 });
    try {
      const answers = await Promise.all(
        ['stop', 'reboot', 'reset', 'shutdown', 'stop', 'reboot'].map((action) =>
          owner.api.post(`/v1/vms/${vm.id}/power`, { action }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
      const accepted = answers.find((a) => a.status === 202)!;
      await actionEnded(owner.api, accepted.body.data.id);
    } finally {
      sim.setDelays({ stop: 0, start: 0, shutdown: 0 });
    }
  });

  it('refuses to start a running VM and to stop, reboot or reset a stopped one', async () => {
    const vm = await runningVm();
    const start = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'start' });
    expect(start.status).toBe(409);
    expect(start.body.error.message).toMatch(/running already/);
    await actionEnded(
      owner.api,
      (await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' })).body.data.id,
    );
    for (const action of ['stop', 'shutdown', 'reboot', 'reset']) {
      const res = await owner.api.post(`/v1/vms/${vm.id}/power`, { action });
      expect(res.status, action).toBe(409);
      expect(res.body.error.message).toMatch(/is stopped/);
    }
  });

  it('refuses every action on a VM still provisioning', async () => {
    sim.setDelays({ clone: 1_500 });
    try {
      const vm = await newVm();
      const res = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' });
      expect(res.status).toBe(409);
      expect((await owner.api.delete(`/v1/vms/${vm.id}`)).status).toBe(409);
      await vmStatus(owner.api, vm.id, 'running');
    } finally {
      sim.setDelays({ clone: 0 });
    }
  });
});

describe('failures on the node', () => {
  it("undoes a provisioning that fails for good: no VM on the node, the address back, the node's own words kept", async () => {
    sim.inject({
      operation: 'createVm',
      afterClone: true,
      transient: false,
      message: 'clone failed',
      detail: "TASK ERROR: storage 'local-lvm' is full",
      times: 1,
    });
    const vm = await newVm();
    const failed = await vmStatus(owner.api, vm.id, 'error');
    expect(failed.error).toContain("storage 'local-lvm' is full");
    expect(failed.ipAddress).toBeNull();
    expect(await isAllocated(t, vm.ipAddress)).toBe(false);
    expect(await simulated(vm.name)).toEqual([]);
    const [create] = (await owner.api.get(`/v1/vms/${vm.id}/actions`)).body.data;
    expect(create).toMatchObject({ type: 'create', status: 'failed' });
    expect(create.error).toContain("storage 'local-lvm' is full");
    const job = await jobOf(create.id);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    // The failed VM can only be deleted, and deleting it works.
    expect((await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'start' })).status).toBe(409);
    expect((await owner.api.delete(`/v1/vms/${vm.id}`)).status).toBe(202);
    await waitFor(
      () => owner.api.get(`/v1/vms/${vm.id}`),
      (r) => r.status === 404,
      { what: 'the failed VM to be deleted' },
    );
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    sim.inject({ operation: 'createVm', transient: true, message: 'lock timeout', times: 1 });
    const vm = await newVm();
    const [create] = (await owner.api.get(`/v1/vms/${vm.id}/actions`)).body.data;
    await waitFor(
      () => jobOf(create.id),
      (j) => j.status === 'queued' && j.attempts === 1,
      { what: 'the first attempt to fail and be queued again' },
    );
    expect((await owner.api.get(`/v1/vms/${vm.id}`)).body.data.status).toBe('provisioning');
    t.clock.advance(15 * 60_000);
    await vmStatus(owner.api, vm.id, 'running');
    const job = await jobOf(create.id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(job.last_error).toContain('lock timeout');
    expect(await simulated(vm.name)).toHaveLength(1);
  });

  it("ends in failed with the node's message when transient failures outlast the attempts", async () => {
    sim.inject({ operation: 'createVm', transient: true, message: 'connection refused', times: 5 });
    const vm = await newVm();
    const [create] = (await owner.api.get(`/v1/vms/${vm.id}/actions`)).body.data;
    for (let attempt = 1; attempt <= 5; attempt++) {
      await waitFor(
        () => jobOf(create.id),
        (j) => j.attempts === attempt && j.status !== 'running',
        { what: `attempt ${attempt} to end` },
      );
      t.clock.advance(15 * 60_000);
    }
    const failed = await vmStatus(owner.api, vm.id, 'error');
    expect(failed.error).toContain('connection refused');
    expect(await isAllocated(t, vm.ipAddress)).toBe(false);
    expect((await jobOf(create.id)).status).toBe('failed');
  });

  it("records a failed power action with the node's message and leaves the VM as it was", async () => {
    const vm = await runningVm();
    sim.inject({
      operation: 'power',
      action: 'reboot',
      transient: false,
      message: 'reboot failed',
      detail: 'TASK ERROR: VM is locked (backup)',
      times: 1,
    });
    const res = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'reboot' });
    const ended = await actionEnded(owner.api, res.body.data.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toContain('VM is locked (backup)');
    const after = (await owner.api.get(`/v1/vms/${vm.id}`)).body.data;
    expect(after).toMatchObject({ status: 'running', powerState: 'running' });
  });

  it('shows error when deleting fails for good, and a second delete finishes it', async () => {
    const vm = await runningVm();
    sim.inject({ operation: 'deleteVm', transient: false, message: 'disk busy', times: 1 });
    await owner.api.delete(`/v1/vms/${vm.id}`);
    const failed = await vmStatus(owner.api, vm.id, 'error');
    expect(failed.error).toContain('disk busy');
    expect(await isAllocated(t, vm.ipAddress)).toBe(true);
    await owner.api.delete(`/v1/vms/${vm.id}`);
    await waitFor(
      () => owner.api.get(`/v1/vms/${vm.id}`),
      (r) => r.status === 404,
      { what: 'the VM to be deleted' },
    );
    expect(await isAllocated(t, vm.ipAddress)).toBe(false);
  });
});

describe('concurrency and restarts', () => {
  it('gives 50 VMs created at once distinct addresses and distinct hypervisor ids, all running', async () => {
    const project = (await owner.api.post('/v1/projects', { name: 'Fifty' })).body.data.id;
    // Billing refuses a VM the project cannot pay an hour of.
    await credit(t, project, 1_000_000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        owner.api.post('/v1/vms', {
          project_id: project,
          name: `node-${i}`,
          template: 'ubuntu-22.04',
          size: 'small',
          ssh_key: key,
          public_ip: i % 2 === 0,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
    const ids = answers.map((a) => a.body.data.id as string);
    const addresses = answers.map((a) => a.body.data.ipAddress as string);
    expect(new Set(addresses).size).toBe(50);
    const rows = await t.database.db
      .selectFrom('vms')
      .select('hypervisor_id')
      .where('project_id', '=', project)
      .execute();
    expect(new Set(rows.map((r) => r.hypervisor_id)).size).toBe(50);
    for (const id of ids) await vmStatus(owner.api, id, 'running', 30_000);
    const onNode = await t.database.db
      .selectFrom('simulated_vms')
      .select('vmid')
      .where(
        'vmid',
        'in',
        rows.map((r) => r.hypervisor_id),
      )
      .execute();
    expect(onNode).toHaveLength(50);
  });
});

describe('the reconciler', () => {
  it('shows a VM powered off or on outside SwiftCloud as it really is', async () => {
    const vm = await runningVm();
    const vmid = await hypervisorId(vm.id);
    await sim.guestPowerOff(vmid);
    const report = await t.compute!.reconciler.reconcileOnce();
    expect(report.corrected).toContainEqual(
      expect.objectContaining({ vmId: vm.id, to: { status: 'stopped', powerState: 'stopped' } }),
    );
    expect((await owner.api.get(`/v1/vms/${vm.id}`)).body.data).toMatchObject({
      status: 'stopped',
      powerState: 'stopped',
    });
    await sim.power(vmid, 'start');
    await t.compute!.reconciler.reconcileOnce();
    expect((await owner.api.get(`/v1/vms/${vm.id}`)).body.data).toMatchObject({
      status: 'running',
      powerState: 'running',
    });
    // Nothing drifted: a second round corrects nothing.
    const again = await t.compute!.reconciler.reconcileOnce();
    expect(again.corrected.filter((d) => d.vmId === vm.id)).toEqual([]);
  });

  it("keeps each node's reserved memory and disk equal to what its live VMs take", async () => {
    const usage = async () =>
      t.database.db
        .selectFrom('nodes')
        .select(['used_memory_mib', 'used_disk_gib'])
        .where('id', '=', nodeId)
        .executeTakeFirstOrThrow();
    const live = async () => {
      const rows = await t.database.db
        .selectFrom('vms')
        .select(['memory_mib', 'disk_gib'])
        .where('node_id', '=', nodeId)
        .where('deleted_at', 'is', null)
        .execute();
      return {
        used_memory_mib: rows.reduce((n, r) => n + r.memory_mib, 0),
        used_disk_gib: rows.reduce((n, r) => n + r.disk_gib, 0),
      };
    };
    const before = await usage();
    const vm = await runningVm();
    const during = await usage();
    expect(Number(during.used_memory_mib) - Number(before.used_memory_mib)).toBe(1024);
    expect(Number(during.used_disk_gib) - Number(before.used_disk_gib)).toBe(25);
    await owner.api.delete(`/v1/vms/${vm.id}`);
    await waitFor(
      () => owner.api.get(`/v1/vms/${vm.id}`),
      (r) => r.status === 404,
      { what: 'the VM to be deleted' },
    );
    const after = await usage();
    expect(Number(after.used_memory_mib)).toBe(Number(before.used_memory_mib));
    expect(after).toEqual(await live());
    // Drift (an operator's hand edit) is healed by the reconciler's recount.
    await t.database.db.updateTable('nodes').set({ used_memory_mib: 1 }).execute();
    await t.compute!.reconciler.reconcileOnce();
    expect(await usage()).toEqual(await live());
  });

  it('shows error when the node no longer has the VM', async () => {
    const vm = await runningVm();
    await t.database.db
      .deleteFrom('simulated_vms')
      .where('vmid', '=', await hypervisorId(vm.id))
      .execute();
    await t.compute!.reconciler.reconcileOnce();
    const now = (await owner.api.get(`/v1/vms/${vm.id}`)).body.data;
    expect(now).toMatchObject({ status: 'error', powerState: 'unknown' });
    expect(now.error).toMatch(/missing on node sim-1/);
  });

  it('leaves a VM with an open action to its action', async () => {
    const vm = await runningVm();
    const vmid = await hypervisorId(vm.id);
    sim.setDelays({ stop: 1_000 });
    try {
      const stop = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' });
      await sim.guestPowerOff(vmid).catch(() => {});
      const report = await t.compute!.reconciler.reconcileOnce();
      expect(report.corrected.filter((d) => d.vmId === vm.id)).toEqual([]);
      await actionEnded(owner.api, stop.body.data.id);
    } finally {
      sim.setDelays({ stop: 0 });
    }
  });
});

// Last: it stops this file's job runner, as a dying server would.
describe('a server restart', () => {
  it('finishes a provisioning once when its server dies mid-way and another takes over', async () => {
    sim.setDelays({ clone: 1_500 });
    const vm = await newVm();
    const [create] = (await owner.api.get(`/v1/vms/${vm.id}/actions`)).body.data;
    await waitFor(
      () => owner.api.get(`/v1/actions/${create.id}`),
      (r) => r.body.data.status === 'running',
      { what: 'provisioning to start' },
    );
    // The node has begun the (slow) clone: the VM exists there, half-made.
    await waitFor(
      () => simulated(vm.name),
      (rows) => rows.length === 1,
      { what: 'the clone to begin' },
    );
    // The first server dies: its runner stops renewing the lease and its handler is abandoned.
    await t.compute!.reconciler.stop();
    await t.compute!.runner.stop(0);
    sim.setDelays({ clone: 0 });
    // A second server on the same database, with drivers of its own.
    const services = buildServices(t.deps);
    const second = await startComputeWorkers(
      { config: t.config, database: t.database, clock: t.clock, services },
      { pollIntervalMs: 25, reconcile: false },
    );
    try {
      // Nothing happens until the dead server's lease runs out.
      await new Promise((r) => setTimeout(r, 200));
      expect((await owner.api.get(`/v1/vms/${vm.id}`)).body.data.status).toBe('provisioning');
      t.clock.advance(2 * 60_000);
      const running = await vmStatus(owner.api, vm.id, 'running');
      expect(running.powerState).toBe('running');
      const job = await jobOf(create.id);
      expect(job.status).toBe('succeeded');
      expect(job.attempts).toBe(2);
      expect(await simulated(vm.name)).toHaveLength(1);
      // The abandoned first attempt wakes up later and changes nothing.
      await new Promise((r) => setTimeout(r, 1_600));
      expect(await jobOf(create.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect((await owner.api.get(`/v1/actions/${create.id}`)).body.data.status).toBe('succeeded');
      expect(await simulated(vm.name)).toHaveLength(1);
    } finally {
      await second.stop();
      await services.hypervisors.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from './support/vms.js';

let t: TestApp;
let owner: SignedUpUser;
let projectId: string;
let nodeId: string;
const key = sshPublicKey();

beforeAll(async () => {
  t = await startTestApp({ SWIFTCLOUD_SIMULATOR_DELAYS: 'zero' });
  ({ nodeId } = await seedCatalog(t));
  owner = await signUp(t.api);
  projectId = (await owner.api.post('/v1/projects', { name: 'Web shop' })).body.data.id;
  // Billing refuses a VM the project cannot pay an hour of.
  await credit(t, projectId, 1_000_000);
});
afterAll(() => t.close());

let counter = 0;
function body(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    project_id: projectId,
    name: `vm-${counter}`,
    template: 'ubuntu-24.04',
    size: 'small',
    ssh_key: key,
    public_ip: true,
    ...overrides,
  };
}

describe('the VM lifecycle through the API', () => {
  it('creates a VM in provisioning with exactly the reference fields, then runs it', async () => {
    const res = await owner.api.post('/v1/vms', body({ name: 'my-vm' }));
    expect(res.status).toBe(202);
    const vm = res.body.data;
    expect(vm).toMatchObject({
      name: 'my-vm',
      status: 'provisioning',
      size: 'small',
      template: 'ubuntu-24.04',
      projectId,
      publicIp: true,
    });
    expect(vm.ipAddress).toMatch(/^198\.51\.100\.\d+$/);
    expect(vm.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const running = await vmStatus(owner.api, vm.id, 'running');
    expect(running.powerState).toBe('running');

    const list = await owner.api.get(`/v1/vms?project_id=${projectId}`);
    expect(list.status).toBe(200);
    const listed = list.body.data.find((v: { id: string }) => v.id === vm.id);
    for (const field of [
      'id',
      'name',
      'status',
      'powerState',
      'ipAddress',
      'size',
      'template',
      'createdAt',
    ]) {
      expect(listed).toHaveProperty(field);
    }
    expect(list.body.meta).toMatchObject({ page: 1, perPage: 20 });

    // The simulator holds the VM as configured: the size, the key, the network.
    const sim = await t.database.db
      .selectFrom('simulated_vms')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('name', '=', 'my-vm')
      .executeTakeFirstOrThrow();
    expect(sim.power_state).toBe('running');
    expect(sim.spec).toMatchObject({
      cores: 1,
      memoryMiB: 1024,
      diskGiB: 25,
      sshKeys: [key],
      ciUser: 'ubuntu',
      sourceTemplate: 'ubuntu-24.04-cloud',
      network: { address: `${vm.ipAddress}/24`, gateway: '198.51.100.1' },
    });

    const actions = await owner.api.get(`/v1/vms/${vm.id}/actions`);
    expect(actions.body.data).toEqual([
      expect.objectContaining({ type: 'create', status: 'succeeded', vmId: vm.id, error: null }),
    ]);
  });

  it('takes a private address unless public_ip is true', async () => {
    const res = await owner.api.post('/v1/vms', body({ public_ip: false }));
    expect(res.status).toBe(202);
    expect(res.body.data.ipAddress).toMatch(/^10\.20\./);
    expect(res.body.data.publicIp).toBe(false);
    await vmStatus(owner.api, res.body.data.id, 'running');
  });

  it('stops, starts, reboots, resets and shuts down, each as an action that ends succeeded', async () => {
    const vm = (await owner.api.post('/v1/vms', body())).body.data;
    await vmStatus(owner.api, vm.id, 'running');
    const steps: [string, string, string][] = [
      ['stop', 'stopped', 'stopped'],
      ['start', 'running', 'running'],
      ['reboot', 'running', 'running'],
      ['reset', 'running', 'running'],
      ['shutdown', 'stopped', 'stopped'],
    ];
    for (const [action, status, powerState] of steps) {
      const res = await owner.api.post(`/v1/vms/${vm.id}/power`, { action });
      expect(res.status, action).toBe(202);
      expect(res.body.data).toMatchObject({ type: action, vmId: vm.id });
      expect(['pending', 'running', 'succeeded']).toContain(res.body.data.status);
      const ended = await actionEnded(owner.api, res.body.data.id);
      expect(ended, action).toMatchObject({ status: 'succeeded', error: null });
      expect(ended.startedAt).not.toBeNull();
      expect(ended.completedAt).not.toBeNull();
      const now = (await owner.api.get(`/v1/vms/${vm.id}`)).body.data;
      expect({ action, status: now.status, powerState: now.powerState }).toEqual({
        action,
        status,
        powerState,
      });
    }
    const history = (await owner.api.get(`/v1/vms/${vm.id}/actions?per_page=100`)).body.data;
    expect(history.map((a: { type: string }) => a.type)).toEqual([
      'shutdown',
      'reset',
      'reboot',
      'start',
      'stop',
      'create',
    ]);
  });

  it('deletes a VM: deleting at once, then gone, its address back in the pool', async () => {
    const vm = (await owner.api.post('/v1/vms', body())).body.data;
    await vmStatus(owner.api, vm.id, 'running');
    expect(await isAllocated(t, vm.ipAddress)).toBe(true);
    const sim = await simulatorOf(t, nodeId);
    sim.setDelays({ delete: 1_000 });
    const res = await owner.api
      .delete(`/v1/vms/${vm.id}`)
      .finally(() => sim.setDelays({ delete: 0 }));
    expect(res.status).toBe(202);
    expect(res.body.data.status).toBe('deleting');
    const again = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' });
    expect(again.status).toBe(409);
    const deadline = Date.now() + 10_000;
    while ((await owner.api.get(`/v1/vms/${vm.id}`)).status !== 404) {
      if (Date.now() > deadline) throw new Error('the VM was never deleted');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await isAllocated(t, vm.ipAddress)).toBe(false);
    const onNode = await t.database.db
      .selectFrom('simulated_vms')
      .select('vmid')
      .where('name', '=', vm.name)
      .execute();
    expect(onNode).toEqual([]);
    const list = await owner.api.get(`/v1/vms?project_id=${projectId}&per_page=100`);
    expect(list.body.data.map((v: { id: string }) => v.id)).not.toContain(vm.id);
  });

  it('counts live VMs in the project and refuses to delete a project that has one', async () => {
    const p = (await owner.api.post('/v1/projects', { name: 'Counted' })).body.data.id;
    // Billing refuses a VM the project cannot pay an hour of.
    await credit(t, p, 1_000_000);
    const vm = (await owner.api.post('/v1/vms', body({ project_id: p }))).body.data;
    expect((await owner.api.get(`/v1/projects/${p}`)).body.data.resourceCount).toBe(1);
    expect((await owner.api.delete(`/v1/projects/${p}`)).status).toBe(409);
    await vmStatus(owner.api, vm.id, 'running');
    await owner.api.delete(`/v1/vms/${vm.id}`);
    const deadline = Date.now() + 10_000;
    while ((await owner.api.get(`/v1/vms/${vm.id}`)).status !== 404) {
      if (Date.now() > deadline) throw new Error('the VM was never deleted');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await owner.api.get(`/v1/projects/${p}`)).body.data.resourceCount).toBe(0);
    await credit(t, p, -1_000_000); // a project holding money is not deleted either
    expect((await owner.api.delete(`/v1/projects/${p}`)).status).toBe(204);
  });
});

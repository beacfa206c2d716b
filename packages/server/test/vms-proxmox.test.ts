import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConfiguredAdmin } from '../src/admin/admin-account.js';
import { credit } from './support/billing-fixtures.js';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import { FakeProxmox, TEMPLATE_NAME } from './support/fake-proxmox/fake-proxmox.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { actionEnded, seedCatalog, sshPublicKey, vmStatus, waitFor } from './support/vms.js';

// The whole VM lifecycle through the API on a Proxmox node: the schema-checking fake stands
// in for the cluster, and every request the driver sends is held to the official schema.
const ADMIN = { email: 'ops@example.co.zm', password: 'operator password 1' };

let t: TestApp;
let fake: FakeProxmox;
let admin: ApiClient;
let owner: SignedUpUser;
let projectId: string;

beforeAll(async () => {
  fake = await FakeProxmox.start({ taskMs: 5 });
  t = await startTestApp({
    SWIFTCLOUD_ADMIN_EMAIL: ADMIN.email,
    SWIFTCLOUD_ADMIN_PASSWORD: ADMIN.password,
  });
  await seedCatalog(t);
  await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock);
  admin = t.api.as((await t.api.post('/v1/auth/login', ADMIN)).body.data.token);
  // The operator retires the simulator and adds a Proxmox node with the template and a pool.
  const sim = (await admin.get('/v1/admin/nodes')).body.data[0];
  expect((await admin.patch(`/v1/admin/nodes/${sim.id}`, { active: false })).status).toBe(200);
  const node = await admin.post('/v1/admin/nodes', {
    name: 'pve1',
    driver: 'proxmox',
    endpoint: fake.url,
    credentials: fake.credentials(),
    cpus: 32,
    memory_mib: 131_072,
    disk_gib: 2_048,
  });
  expect(node.status, JSON.stringify(node.body)).toBe(201);
  const template = (await admin.get('/v1/admin/templates')).body.data.find(
    (x: { slug: string }) => x.slug === 'ubuntu-24.04',
  );
  expect(
    (
      await admin.request(
        'PUT',
        `/v1/admin/templates/${template.id}/sources/${node.body.data.id}`,
        {
          body: { source: TEMPLATE_NAME },
        },
      )
    ).status,
  ).toBe(200);
  const pool = await admin.post('/v1/admin/ip-pools', {
    name: 'pve-public',
    cidr: '203.0.113.0/24',
    gateway: '203.0.113.1',
    public: true,
    node_ids: [node.body.data.id],
  });
  expect(pool.status, JSON.stringify(pool.body)).toBe(201);
  owner = await signUp(t.api);
  projectId = (await owner.api.post('/v1/projects', { name: 'On Proxmox' })).body.data.id;
  // Billing refuses a VM the project cannot pay an hour of.
  await credit(t, projectId, 1_000_000);
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('a VM on a Proxmox node, through the API', () => {
  it('is cloned, configured, resized and started, powered and deleted, every request valid', async () => {
    const key = sshPublicKey();
    const res = await owner.api.post('/v1/vms', {
      project_id: projectId,
      name: 'pve-web',
      template: 'ubuntu-24.04',
      size: 'medium',
      ssh_key: key,
      public_ip: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.data.ipAddress).toMatch(/^203\.0\.113\./);
    const running = await vmStatus(owner.api, res.body.data.id, 'running', 20_000);
    expect(running.powerState).toBe('running');

    const made = [...fake.state.vms.values()].find((vm) => vm.name === 'pve-web');
    expect(made).toBeDefined();
    expect(made!.config).toMatchObject({
      cores: '2',
      memory: '4096',
      ciuser: 'ubuntu',
      ipconfig0: `ip=${res.body.data.ipAddress}/24,gw=203.0.113.1`,
    });

    const stop = await owner.api.post(`/v1/vms/${res.body.data.id}/power`, { action: 'stop' });
    expect((await actionEnded(owner.api, stop.body.data.id)).status).toBe('succeeded');
    expect((await owner.api.get(`/v1/vms/${res.body.data.id}`)).body.data.powerState).toBe(
      'stopped',
    );

    await owner.api.delete(`/v1/vms/${res.body.data.id}`);
    await waitFor(
      () => owner.api.get(`/v1/vms/${res.body.data.id}`),
      (r) => r.status === 404,
      { what: 'the VM to be deleted', timeoutMs: 20_000 },
    );
    expect([...fake.state.vms.values()].some((vm) => vm.name === 'pve-web')).toBe(false);
    expect(fake.violations).toEqual([]);
  });

  it("fails with the task's own log when the clone fails, and undoes it", async () => {
    fake.inject({
      method: 'POST',
      path: /\/clone$/,
      fault: {
        kind: 'task-fails',
        exitstatus: "clone failed: storage 'local-lvm' does not exist",
        log: ["TASK ERROR: clone failed: storage 'local-lvm' does not exist"],
      },
    });
    const res = await owner.api.post('/v1/vms', {
      project_id: projectId,
      name: 'pve-broken',
      template: 'ubuntu-24.04',
      size: 'small',
      ssh_key: sshPublicKey(),
      public_ip: true,
    });
    expect(res.status).toBe(202);
    const failed = await vmStatus(owner.api, res.body.data.id, 'error', 20_000);
    expect(failed.error).toContain("storage 'local-lvm' does not exist");
    expect(failed.ipAddress).toBeNull();
    expect([...fake.state.vms.values()].some((vm) => vm.name === 'pve-broken')).toBe(false);
    expect(fake.violations).toEqual([]);
  });
});

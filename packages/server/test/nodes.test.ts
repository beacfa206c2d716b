import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConfiguredAdmin } from '../src/admin/admin-account.js';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN = { email: 'ops@example.co.zm', password: 'operator password 1' };
const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const SECRET = 'f3c1a9e2-very-secret-token-value';

let t: TestApp;
let admin: ApiClient;
let ada: SignedUpUser;

const fields = (res: { body: { error: { details: { field: string }[] } } }) =>
  res.body.error.details.map((d) => d.field);

beforeAll(async () => {
  t = await startTestApp({
    SWIFTCLOUD_ADMIN_EMAIL: ADMIN.email,
    SWIFTCLOUD_ADMIN_PASSWORD: ADMIN.password,
  });
  await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock);
  const login = await t.api.post('/v1/auth/login', ADMIN);
  admin = t.api.as(login.body.data.token);
  ada = await signUp(t.api, 'Ada');
});
afterAll(() => t.close());

const proxmox = {
  name: 'pve1',
  driver: 'proxmox',
  endpoint: 'https://pve1.example.co.zm:8006',
  credentials: { tokenSecret: SECRET, tokenId: 'swiftcloud@pve!api', nodeName: 'pve1' },
  cpus: 32,
  memory_mib: 131_072,
  disk_gib: 4_000,
};

describe('hypervisor nodes', () => {
  let pve: string;

  it('adds a node and shows which credentials are set, never their values', async () => {
    const res = await admin.post('/v1/admin/nodes', proxmox);
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      name: 'pve1',
      driver: 'proxmox',
      endpoint: 'https://pve1.example.co.zm:8006',
      credentialKeys: ['nodeName', 'tokenId', 'tokenSecret'],
      cpus: 32,
      memoryMiB: 131_072,
      diskGiB: 4_000,
      active: true,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    pve = res.body.data.id;
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    // The driver gets them.
    expect(await t.services.nodes.config(pve)).toEqual({
      id: pve,
      name: 'pve1',
      driver: 'proxmox',
      endpoint: 'https://pve1.example.co.zm:8006',
      credentials: proxmox.credentials,
      size: { cpus: 32, memoryMiB: 131_072, diskGiB: 4_000 },
    });
  });

  it('keeps credentials out of every read, the list and the audit trail', async () => {
    const one = await admin.get(`/v1/admin/nodes/${pve}`);
    expect(one.status).toBe(200);
    expect(one.body.data.credentialKeys).toEqual(['nodeName', 'tokenId', 'tokenSecret']);
    const list = await admin.get('/v1/admin/nodes');
    expect(list.body.data.map((n: { id: string }) => n.id)).toContain(pve);
    const patched = await admin.patch(`/v1/admin/nodes/${pve}`, { cpus: 48 });
    for (const res of [one, list, patched]) {
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
      expect(JSON.stringify(res.body)).not.toContain('swiftcloud@pve!api');
    }
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('target_id', '=', pve)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['node.create', 'node.update']);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(audit[0]!.details).toMatchObject({
      credentialKeys: ['nodeName', 'tokenId', 'tokenSecret'],
    });
  });

  it('replaces all credentials when PATCH sends them', async () => {
    const res = await admin.patch(`/v1/admin/nodes/${pve}`, {
      credentials: {
        tokenId: 'swiftcloud@pve!new',
        tokenSecret: 'rotated',
        fingerprint256: 'AB:CD',
      },
      endpoint: 'https://pve1.example.co.zm:8443',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      credentialKeys: ['fingerprint256', 'tokenId', 'tokenSecret'],
      endpoint: 'https://pve1.example.co.zm:8443',
      cpus: 48,
    });
    expect((await t.services.nodes.config(pve)).credentials).toEqual({
      tokenId: 'swiftcloud@pve!new',
      tokenSecret: 'rotated',
      fingerprint256: 'AB:CD',
    });
    const driver = await admin.patch(`/v1/admin/nodes/${pve}`, { driver: 'simulator', cpus: 2 });
    expect(driver.status).toBe(400);
    expect(fields(driver)).toEqual(['driver']);
  });

  it('adds a simulator node without endpoint or credentials', async () => {
    const res = await admin.post('/v1/admin/nodes', {
      name: 'sim-9',
      driver: 'simulator',
      cpus: 4,
      memory_mib: 8192,
      disk_gib: 100,
      active: false,
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ endpoint: '', credentialKeys: [], active: false });
  });

  it('refuses a second node with the same name, on name', async () => {
    const res = await admin.post('/v1/admin/nodes', proxmox);
    expect(res.status).toBe(409);
    expect(fields(res)).toEqual(['name']);
    const renamed = await admin.patch(`/v1/admin/nodes/${pve}`, { name: 'sim-9' });
    expect(renamed.status).toBe(409);
    expect(fields(renamed)).toEqual(['name']);
  });

  it('names every invalid field', async () => {
    const res = await admin.post('/v1/admin/nodes', {
      name: 'PVE 1',
      driver: 'vmware',
      endpoint: 'ftp://pve1',
      credentials: { tokenId: 7 },
      cpus: 0,
      memory_mib: 1.5,
      disk_gib: 'lots',
    });
    expect(res.status).toBe(400);
    expect(fields(res).sort()).toEqual([
      'cpus',
      'credentials.tokenId',
      'disk_gib',
      'driver',
      'endpoint',
      'memory_mib',
      'name',
    ]);
    const byField = Object.fromEntries(
      res.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]),
    );
    expect(byField.driver).toBe('driver must be one of simulator, proxmox');
    expect(byField.endpoint).toMatch(/http\(s\) URL/);
    const badKey = await admin.post('/v1/admin/nodes', {
      ...proxmox,
      name: 'pve2',
      credentials: { 'token id': 'x' },
    });
    expect(badKey.status).toBe(400);
    expect(fields(badKey)[0]).toMatch(/^credentials/);
  });

  it('deletes a node with its template sources and pool memberships', async () => {
    const node = await admin.post('/v1/admin/nodes', { ...proxmox, name: 'pve-gone' });
    const id = node.body.data.id;
    const template = await admin.post('/v1/admin/templates', {
      slug: 'debian-12',
      name: 'Debian 12',
      os_family: 'debian',
      min_disk_gib: 8,
      sources: [{ node_id: id, source: '9000' }],
    });
    const pool = await admin.post('/v1/admin/ip-pools', {
      name: 'gone-pool',
      cidr: '192.0.2.0/28',
      gateway: '192.0.2.1',
      public: true,
      node_ids: [id],
    });
    expect(pool.status).toBe(201);
    expect((await admin.delete(`/v1/admin/nodes/${id}`)).status).toBe(204);
    expect((await admin.get(`/v1/admin/nodes/${id}`)).status).toBe(404);
    expect(
      (await admin.get(`/v1/admin/templates/${template.body.data.id}`)).body.data.sources,
    ).toEqual([]);
    expect((await admin.get(`/v1/admin/ip-pools/${pool.body.data.id}`)).body.data.nodeIds).toEqual(
      [],
    );
    expect((await admin.delete(`/v1/admin/nodes/${id}`)).status).toBe(404);
  });

  it('answers 404 for an unknown node', async () => {
    expect((await admin.get(`/v1/admin/nodes/${MISSING_ID}`)).status).toBe(404);
    expect((await admin.patch(`/v1/admin/nodes/${MISSING_ID}`, { cpus: 1 })).status).toBe(404);
  });

  it('answers 403 to signed-in users who are not administrators and 401 to anonymous callers', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/v1/admin/nodes'],
      ['POST', '/v1/admin/nodes', proxmox],
      ['GET', `/v1/admin/nodes/${pve}`],
      ['PATCH', `/v1/admin/nodes/${pve}`, { cpus: 1 }],
      ['DELETE', `/v1/admin/nodes/${pve}`],
    ];
    for (const [method, path, body] of calls) {
      const user = await ada.api.request(method, path, { body });
      expect(user.status, `${method} ${path}`).toBe(403);
      expect(JSON.stringify(user.body)).not.toContain(SECRET);
      expect((await t.api.request(method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
    expect((await admin.get(`/v1/admin/nodes/${pve}`)).status).toBe(200);
  });
});

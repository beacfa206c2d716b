import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConfiguredAdmin } from '../src/admin/admin-account.js';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN = { email: 'ops@example.co.zm', password: 'operator password 1' };
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let t: TestApp;
let admin: ApiClient;
let ada: SignedUpUser;
let nodeA: string;
let nodeB: string;

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
  const node = (name: string) =>
    admin.post('/v1/admin/nodes', {
      name,
      driver: 'simulator',
      cpus: 8,
      memory_mib: 16_384,
      disk_gib: 500,
    });
  nodeA = (await node('cat-node-a')).body.data.id;
  nodeB = (await node('cat-node-b')).body.data.id;
});
afterAll(() => t.close());

describe('templates, as administrators manage them', () => {
  let ubuntu: string;

  it('creates a template with its per-node sources', async () => {
    const res = await admin.post('/v1/admin/templates', {
      slug: 'ubuntu-24.04',
      name: 'Ubuntu 24.04 LTS',
      os_family: 'ubuntu',
      min_disk_gib: 10,
      sources: [{ node_id: nodeA, source: '9000' }],
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      slug: 'ubuntu-24.04',
      name: 'Ubuntu 24.04 LTS',
      osFamily: 'ubuntu',
      minDiskGiB: 10,
      active: true,
      sources: [{ nodeId: nodeA, nodeName: 'cat-node-a', source: '9000' }],
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    ubuntu = res.body.data.id;
    expect((await admin.get(`/v1/admin/templates/${ubuntu}`)).body.data).toEqual(res.body.data);
  });

  it('refuses a second template with the same slug, on slug', async () => {
    const res = await admin.post('/v1/admin/templates', {
      slug: 'ubuntu-24.04',
      name: 'Again',
      os_family: 'ubuntu',
      min_disk_gib: 10,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(fields(res)).toEqual(['slug']);
  });

  it('names every invalid field', async () => {
    const res = await admin.post('/v1/admin/templates', {
      slug: 'Ubuntu 24',
      name: '',
      os_family: 'beos',
      min_disk_gib: 0,
      colour: 'orange',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(fields(res).sort()).toEqual(['colour', 'min_disk_gib', 'name', 'os_family', 'slug']);
    const slug = res.body.error.details.find((d: { field: string }) => d.field === 'slug');
    expect(slug.message).toMatch(/lowercase letters, digits, dots and hyphens/);
  });

  it('refuses sources on nodes that do not exist, naming the entry', async () => {
    const res = await admin.post('/v1/admin/templates', {
      slug: 'debian-12',
      name: 'Debian 12',
      os_family: 'debian',
      min_disk_gib: 8,
      sources: [
        { node_id: nodeA, source: '9001' },
        { node_id: MISSING_ID, source: '9001' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { field: 'sources.1.node_id', message: `No node has id ${MISSING_ID}` },
    ]);
    const twice = await admin.post('/v1/admin/templates', {
      slug: 'debian-12',
      name: 'Debian 12',
      os_family: 'debian',
      min_disk_gib: 8,
      sources: [
        { node_id: nodeA, source: '1' },
        { node_id: nodeA, source: '2' },
      ],
    });
    expect(twice.status).toBe(400);
    expect(fields(twice)).toEqual(['sources']);
  });

  it('sets and removes one node’s source', async () => {
    const put = await admin.request('PUT', `/v1/admin/templates/${ubuntu}/sources/${nodeB}`, {
      body: { source: 'local:ubuntu-tmpl' },
    });
    expect(put.status).toBe(200);
    expect(put.body.data.sources).toEqual([
      { nodeId: nodeA, nodeName: 'cat-node-a', source: '9000' },
      { nodeId: nodeB, nodeName: 'cat-node-b', source: 'local:ubuntu-tmpl' },
    ]);
    const replaced = await admin.request('PUT', `/v1/admin/templates/${ubuntu}/sources/${nodeB}`, {
      body: { source: '9100' },
    });
    expect(replaced.body.data.sources[1].source).toBe('9100');
    expect(await t.services.templates.get(ubuntu)).toMatchObject({
      sources: [{ source: '9000' }, { source: '9100' }],
    });

    const removed = await admin.delete(`/v1/admin/templates/${ubuntu}/sources/${nodeB}`);
    expect(removed.status).toBe(204);
    const again = await admin.delete(`/v1/admin/templates/${ubuntu}/sources/${nodeB}`);
    expect(again.status).toBe(404);
    const badNode = await admin.request(
      'PUT',
      `/v1/admin/templates/${ubuntu}/sources/${MISSING_ID}`,
      { body: { source: '1' } },
    );
    expect(badNode.status).toBe(404);
    const spaces = await admin.request('PUT', `/v1/admin/templates/${ubuntu}/sources/${nodeB}`, {
      body: { source: 'has spaces' },
    });
    expect(spaces.status).toBe(400);
    expect(fields(spaces)).toEqual(['source']);
  });

  it('changes fields with PATCH, sources sent replacing all of them', async () => {
    const res = await admin.patch(`/v1/admin/templates/${ubuntu}`, {
      name: 'Ubuntu 24.04 LTS (Noble)',
      min_disk_gib: 12,
      sources: [{ node_id: nodeB, source: '9200' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      name: 'Ubuntu 24.04 LTS (Noble)',
      minDiskGiB: 12,
      slug: 'ubuntu-24.04',
      sources: [{ nodeId: nodeB, source: '9200' }],
    });
    const empty = await admin.patch(`/v1/admin/templates/${ubuntu}`, {});
    expect(empty.status).toBe(400);
    const slug = await admin.patch(`/v1/admin/templates/${ubuntu}`, {
      slug: 'renamed',
      name: 'Renamed',
    });
    expect(slug.status).toBe(400);
    expect(fields(slug)).toEqual(['slug']);
    expect((await admin.patch(`/v1/admin/templates/${MISSING_ID}`, { name: 'x' })).status).toBe(
      404,
    );
  });

  it('deletes a template', async () => {
    const made = await admin.post('/v1/admin/templates', {
      slug: 'scratch-1',
      name: 'Scratch',
      os_family: 'other',
      min_disk_gib: 1,
    });
    expect((await admin.delete(`/v1/admin/templates/${made.body.data.id}`)).status).toBe(204);
    expect((await admin.get(`/v1/admin/templates/${made.body.data.id}`)).status).toBe(404);
    expect((await admin.delete(`/v1/admin/templates/${made.body.data.id}`)).status).toBe(404);
  });
});

describe('sizes, as administrators manage them', () => {
  let small: string;

  it('creates a size, keeping the hourly price exactly in micro-ngwee', async () => {
    const res = await admin.post('/v1/admin/sizes', {
      slug: 'small',
      vcpus: 1,
      memory_mib: 1024,
      disk_gib: 25,
      hourly_price: '0.2232',
      monthly_cap: '150',
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      slug: 'small',
      vcpus: 1,
      memoryMiB: 1024,
      diskGiB: 25,
      hourlyPrice: '0.2232',
      monthlyCap: '150.00',
      currency: 'ZMW',
      active: true,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    small = res.body.data.id;
    const row = await t.database.db
      .selectFrom('sizes')
      .select(['hourly_price_micro_ngwee', 'monthly_cap_ngwee'])
      .where('id', '=', small)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ hourly_price_micro_ngwee: 22_320_000, monthly_cap_ngwee: 15_000 });
  });

  it('refuses prices that are not exact decimal kwacha, naming the field', async () => {
    const base = { slug: 'x1', vcpus: 1, memory_mib: 1024, disk_gib: 25 };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ hourly_price: '0.000000001', monthly_cap: '1.00' }, 'hourly_price', /8 places/],
      [{ hourly_price: 0.5, monthly_cap: '1.00' }, 'hourly_price', /decimal string/],
      [{ hourly_price: '0.10', monthly_cap: '150.005' }, 'monthly_cap', /2 places/],
      [{ hourly_price: '0', monthly_cap: '1.00' }, 'hourly_price', /more than 0/],
      [{ hourly_price: '0.10', monthly_cap: '0.00' }, 'monthly_cap', /more than 0/],
      [{ hourly_price: '2.00', monthly_cap: '1.00' }, 'monthly_cap', /one hour's price \(2\.00\)/],
    ];
    for (const [prices, field, message] of cases) {
      const res = await admin.post('/v1/admin/sizes', { ...base, ...prices });
      expect(res.status, JSON.stringify(prices)).toBe(400);
      expect(fields(res)).toEqual([field]);
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('names every invalid resource field', async () => {
    const res = await admin.post('/v1/admin/sizes', {
      slug: '-small',
      vcpus: 1.5,
      memory_mib: 100,
      disk_gib: -1,
      hourly_price: '0.10',
      monthly_cap: '10.00',
    });
    expect(res.status).toBe(400);
    expect(fields(res).sort()).toEqual(['disk_gib', 'memory_mib', 'slug', 'vcpus']);
    const missing = await admin.post('/v1/admin/sizes', { slug: 'x2' });
    expect(fields(missing).sort()).toEqual([
      'disk_gib',
      'hourly_price',
      'memory_mib',
      'monthly_cap',
      'vcpus',
    ]);
  });

  it('refuses a second size with the same slug, on slug', async () => {
    const res = await admin.post('/v1/admin/sizes', {
      slug: 'small',
      vcpus: 2,
      memory_mib: 2048,
      disk_gib: 50,
      hourly_price: '0.30',
      monthly_cap: '200.00',
    });
    expect(res.status).toBe(409);
    expect(fields(res)).toEqual(['slug']);
  });

  it('changes prices with PATCH, checking the cap against the stored hourly price', async () => {
    const res = await admin.patch(`/v1/admin/sizes/${small}`, { monthly_cap: '160.50' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ hourlyPrice: '0.2232', monthlyCap: '160.50' });
    const below = await admin.patch(`/v1/admin/sizes/${small}`, { monthly_cap: '0.20' });
    expect(below.status).toBe(400);
    expect(fields(below)).toEqual(['monthly_cap']);
    const hourly = await admin.patch(`/v1/admin/sizes/${small}`, { hourly_price: '0.12345678' });
    expect(hourly.body.data.hourlyPrice).toBe('0.12345678');
    expect((await admin.patch(`/v1/admin/sizes/${MISSING_ID}`, { vcpus: 2 })).status).toBe(404);
  });

  it('deletes a size', async () => {
    const made = await admin.post('/v1/admin/sizes', {
      slug: 'scratch',
      vcpus: 1,
      memory_mib: 512,
      disk_gib: 10,
      hourly_price: '0.05',
      monthly_cap: '30.00',
    });
    expect((await admin.delete(`/v1/admin/sizes/${made.body.data.id}`)).status).toBe(204);
    expect((await admin.get(`/v1/admin/sizes/${made.body.data.id}`)).status).toBe(404);
  });
});

describe('the public catalog', () => {
  beforeAll(async () => {
    await admin.post('/v1/admin/templates', {
      slug: 'rocky-9',
      name: 'Rocky Linux 9',
      os_family: 'rocky',
      min_disk_gib: 10,
      active: false,
    });
    await admin.post('/v1/admin/sizes', {
      slug: 'large',
      vcpus: 4,
      memory_mib: 8192,
      disk_gib: 160,
      hourly_price: '1.3393',
      monthly_cap: '900.00',
    });
    await admin.post('/v1/admin/sizes', {
      slug: 'retired',
      vcpus: 1,
      memory_mib: 512,
      disk_gib: 10,
      hourly_price: '0.01',
      monthly_cap: '5.00',
      active: false,
    });
  });

  it('lists active templates to any signed-in user, without node sources', async () => {
    const res = await ada.api.get('/v1/templates');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        id: expect.any(String),
        slug: 'ubuntu-24.04',
        name: 'Ubuntu 24.04 LTS (Noble)',
        osFamily: 'ubuntu',
        minDiskGiB: 12,
      },
    ]);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 1 });
  });

  it('lists active sizes cheapest first with ZMW prices', async () => {
    const res = await ada.api.get('/v1/sizes');
    expect(res.status).toBe(200);
    expect(res.body.data.map((s: { slug: string }) => s.slug)).toEqual(['small', 'large']);
    expect(res.body.data[1]).toEqual({
      id: expect.any(String),
      slug: 'large',
      vcpus: 4,
      memoryMiB: 8192,
      diskGiB: 160,
      hourlyPrice: '1.3393',
      monthlyCap: '900.00',
      currency: 'ZMW',
    });
  });

  it('shows a template again once it is active', async () => {
    const all = await admin.get('/v1/admin/templates');
    const rocky = all.body.data.find((x: { slug: string }) => x.slug === 'rocky-9');
    expect(rocky.active).toBe(false);
    await admin.patch(`/v1/admin/templates/${rocky.id}`, { active: true });
    const res = await ada.api.get('/v1/templates');
    expect(res.body.data.map((x: { slug: string }) => x.slug)).toEqual(['rocky-9', 'ubuntu-24.04']);
  });

  it('answers 401 to anonymous callers', async () => {
    for (const path of ['/v1/templates', '/v1/sizes']) {
      const res = await t.api.get(path);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });
});

describe('catalog administration', () => {
  it('answers 403 to signed-in users who are not administrators and 401 to anonymous callers', async () => {
    const id = MISSING_ID;
    const calls: [string, string, unknown?][] = [
      ['GET', '/v1/admin/templates'],
      [
        'POST',
        '/v1/admin/templates',
        { slug: 'x', name: 'x', os_family: 'other', min_disk_gib: 1 },
      ],
      ['GET', `/v1/admin/templates/${id}`],
      ['PATCH', `/v1/admin/templates/${id}`, { name: 'x' }],
      ['DELETE', `/v1/admin/templates/${id}`],
      ['PUT', `/v1/admin/templates/${id}/sources/${id}`, { source: 'x' }],
      ['DELETE', `/v1/admin/templates/${id}/sources/${id}`],
      ['GET', '/v1/admin/sizes'],
      ['POST', '/v1/admin/sizes', {}],
      ['GET', `/v1/admin/sizes/${id}`],
      ['PATCH', `/v1/admin/sizes/${id}`, { vcpus: 1 }],
      ['DELETE', `/v1/admin/sizes/${id}`],
    ];
    for (const [method, path, body] of calls) {
      const user = await ada.api.request(method, path, { body });
      expect(user.status, `${method} ${path}`).toBe(403);
      expect(user.body.error.code).toBe('FORBIDDEN');
      expect((await t.api.request(method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
  });
});

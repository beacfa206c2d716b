import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConfiguredAdmin } from '../src/admin/admin-account.js';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN = { email: 'ops@example.co.zm', password: 'operator password 1' };
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let t: TestApp;
let admin: ApiClient;
let ada: SignedUpUser;
let nodeId: string;

const fields = (res: { body: { error: { details: { field: string }[] } } }) =>
  res.body.error.details.map((d) => d.field);

const allocate = (pub: boolean) =>
  t.database.db
    .transaction()
    .execute((tx) => t.services.ipAllocator.allocate(tx, { public: pub, nodeId }));

beforeAll(async () => {
  t = await startTestApp({
    SWIFTCLOUD_ADMIN_EMAIL: ADMIN.email,
    SWIFTCLOUD_ADMIN_PASSWORD: ADMIN.password,
  });
  await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock);
  const login = await t.api.post('/v1/auth/login', ADMIN);
  admin = t.api.as(login.body.data.token);
  ada = await signUp(t.api, 'Ada');
  const node = await admin.post('/v1/admin/nodes', {
    name: 'pool-node',
    driver: 'simulator',
    cpus: 8,
    memory_mib: 16_384,
    disk_gib: 500,
  });
  nodeId = node.body.data.id;
});
afterAll(() => t.close());

describe('IP pools', () => {
  let pub: string;

  it('creates a pool whose range defaults to every host, gateway left out', async () => {
    const res = await admin.post('/v1/admin/ip-pools', {
      name: 'public-1',
      cidr: '198.51.100.0/24',
      gateway: '198.51.100.1',
      public: true,
      node_ids: [nodeId],
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      name: 'public-1',
      cidr: '198.51.100.0/24',
      gateway: '198.51.100.1',
      rangeFirst: '198.51.100.1',
      rangeLast: '198.51.100.254',
      public: true,
      nodeIds: [nodeId],
      addresses: 253,
      allocated: 0,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    pub = res.body.data.id;
  });

  it('names the field of each layout mistake', async () => {
    const base = { name: 'bad', public: false, node_ids: [nodeId] };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { cidr: '10.9.0.5/24', gateway: '10.9.0.1' },
        'cidr',
        /host bits set; the network is 10\.9\.0\.0\/24/,
      ],
      [{ cidr: '10.0.0.0/8', gateway: '10.0.0.1' }, 'cidr', /between \/16 and \/30/],
      [{ cidr: 'ten', gateway: '10.9.0.1' }, 'cidr', /IPv4 network/],
      [{ cidr: '10.9.0.0/24', gateway: '10.9.1.1' }, 'gateway', /inside 10\.9\.0\.0\/24/],
      [
        { cidr: '10.9.0.0/24', gateway: '10.9.0.255' },
        'gateway',
        /broadcast address 10\.9\.0\.255/,
      ],
      [{ cidr: '10.9.0.0/24', gateway: '10.9.0.0' }, 'gateway', /network address/],
      [
        { cidr: '10.9.0.0/24', gateway: '10.9.0.1', range_first: '10.9.0.0' },
        'range_first',
        /network address/,
      ],
      [
        { cidr: '10.9.0.0/24', gateway: '10.9.0.1', range_last: '10.9.0.255' },
        'range_last',
        /broadcast/,
      ],
      [
        {
          cidr: '10.9.0.0/24',
          gateway: '10.9.0.1',
          range_first: '10.9.0.50',
          range_last: '10.9.0.40',
        },
        'range_last',
        /not come before range_first/,
      ],
      [{ cidr: '10.9.0.0/24', gateway: '10.9.0.300' }, 'gateway', /IPv4 address/],
    ];
    for (const [layout, field, message] of cases) {
      const res = await admin.post('/v1/admin/ip-pools', { ...base, ...layout });
      expect(res.status, JSON.stringify(layout)).toBe(400);
      expect(fields(res)).toEqual([field]);
      expect(res.body.error.message).toMatch(message);
    }
    const missing = await admin.post('/v1/admin/ip-pools', { name: 'bad' });
    expect(fields(missing).sort()).toEqual(['cidr', 'gateway', 'public']);
    const node = await admin.post('/v1/admin/ip-pools', {
      ...base,
      cidr: '10.9.0.0/24',
      gateway: '10.9.0.1',
      node_ids: [nodeId, MISSING_ID],
    });
    expect(node.body.error.details).toEqual([
      { field: 'node_ids.1', message: `No node has id ${MISSING_ID}` },
    ]);
  });

  it('refuses a network overlapping another pool, naming it, and takes an adjacent one', async () => {
    const res = await admin.post('/v1/admin/ip-pools', {
      name: 'wider',
      cidr: '198.51.0.0/16',
      gateway: '198.51.0.1',
      public: true,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.details).toEqual([
      { field: 'cidr', message: '198.51.0.0/16 overlaps IP pool public-1 (198.51.100.0/24)' },
    ]);
    const adjacent = await admin.post('/v1/admin/ip-pools', {
      name: 'next-door',
      cidr: '198.51.101.0/30',
      gateway: '198.51.101.1',
      public: true,
    });
    expect(adjacent.status).toBe(201);
    expect(adjacent.body.data).toMatchObject({ addresses: 1, nodeIds: [] });
    expect((await admin.delete(`/v1/admin/ip-pools/${adjacent.body.data.id}`)).status).toBe(204);
  });

  it('refuses a second pool with the same name, on name', async () => {
    const res = await admin.post('/v1/admin/ip-pools', {
      name: 'public-1',
      cidr: '192.0.2.0/24',
      gateway: '192.0.2.1',
      public: true,
    });
    expect(res.status).toBe(409);
    expect(fields(res)).toEqual(['name']);
  });

  it('counts allocations, and narrows the range only around allocated addresses', async () => {
    const first = await allocate(true);
    expect(first).toEqual({
      poolId: pub,
      address: '198.51.100.2',
      prefix: 24,
      gateway: '198.51.100.1',
    });
    expect((await admin.get(`/v1/admin/ip-pools/${pub}`)).body.data).toMatchObject({
      addresses: 253,
      allocated: 1,
    });
    const stranding = await admin.patch(`/v1/admin/ip-pools/${pub}`, {
      range_first: '198.51.100.10',
    });
    expect(stranding.status).toBe(409);
    expect(stranding.body.error.details).toEqual([
      {
        field: 'range_first',
        message:
          'Allocated addresses would fall outside the pool (198.51.100.2); release them first',
      },
    ]);
    const gateway = await admin.patch(`/v1/admin/ip-pools/${pub}`, { gateway: '198.51.100.2' });
    expect(gateway.status).toBe(409);
    expect(fields(gateway)).toEqual(['gateway']);

    const narrowed = await admin.patch(`/v1/admin/ip-pools/${pub}`, {
      range_last: '198.51.100.20',
      name: 'public-lusaka',
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.data).toMatchObject({
      name: 'public-lusaka',
      rangeFirst: '198.51.100.1',
      rangeLast: '198.51.100.20',
      addresses: 19,
      allocated: 1,
    });
    // The gateway moves out of the range: its old address becomes one to hand out.
    const moved = await admin.patch(`/v1/admin/ip-pools/${pub}`, { gateway: '198.51.100.254' });
    expect(moved.body.data).toMatchObject({ gateway: '198.51.100.254', addresses: 20 });
    expect(await allocate(true)).toMatchObject({
      address: '198.51.100.1',
      gateway: '198.51.100.254',
    });
  });

  it('refuses to delete a pool with allocated addresses until they are released', async () => {
    const res = await admin.delete(`/v1/admin/ip-pools/${pub}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'IP pool public-lusaka still has 2 allocated address(es); release them first',
    );
    await t.database.db.transaction().execute(async (tx) => {
      expect(await t.services.ipAllocator.release(tx, '198.51.100.1')).toBe(true);
      expect(await t.services.ipAllocator.release(tx, '198.51.100.2/24')).toBe(true);
      expect(await t.services.ipAllocator.release(tx, '198.51.100.2')).toBe(false);
    });
    expect((await admin.delete(`/v1/admin/ip-pools/${pub}`)).status).toBe(204);
    expect((await admin.get(`/v1/admin/ip-pools/${pub}`)).status).toBe(404);
    const rows = await t.database.db
      .selectFrom('ip_addresses')
      .select('id')
      .where('pool_id', '=', pub)
      .execute();
    expect(rows).toEqual([]);
  });

  it('replaces the nodes served', async () => {
    const pool = await admin.post('/v1/admin/ip-pools', {
      name: 'private-1',
      cidr: '10.20.0.0/24',
      gateway: '10.20.0.1',
      range_first: '10.20.0.100',
      range_last: '10.20.0.199',
      public: false,
    });
    expect(pool.body.data).toMatchObject({ addresses: 100, nodeIds: [] });
    await expect(allocate(false)).rejects.toMatchObject({ code: 'RESOURCE_UNAVAILABLE' });
    const served = await admin.patch(`/v1/admin/ip-pools/${pool.body.data.id}`, {
      node_ids: [nodeId],
    });
    expect(served.body.data.nodeIds).toEqual([nodeId]);
    expect(await allocate(false)).toMatchObject({ address: '10.20.0.100', prefix: 24 });
    const bad = await admin.patch(`/v1/admin/ip-pools/${pool.body.data.id}`, {
      node_ids: [MISSING_ID],
    });
    expect(fields(bad)).toEqual(['node_ids.0']);
    const fixed = await admin.patch(`/v1/admin/ip-pools/${pool.body.data.id}`, {
      cidr: '10.21.0.0/24',
      name: 'x',
    });
    expect(fixed.status).toBe(400);
    expect(fields(fixed)).toEqual(['cidr']);
  });

  it('lists pools', async () => {
    const res = await admin.get('/v1/admin/ip-pools');
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { name: string }) => p.name)).toEqual(['private-1']);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 1 });
  });

  it('answers 404 for an unknown pool', async () => {
    expect((await admin.get(`/v1/admin/ip-pools/${MISSING_ID}`)).status).toBe(404);
    expect((await admin.patch(`/v1/admin/ip-pools/${MISSING_ID}`, { name: 'x' })).status).toBe(404);
    expect((await admin.delete(`/v1/admin/ip-pools/${MISSING_ID}`)).status).toBe(404);
  });

  it('answers 403 to signed-in users who are not administrators and 401 to anonymous callers', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/v1/admin/ip-pools'],
      [
        'POST',
        '/v1/admin/ip-pools',
        { name: 'x', cidr: '192.0.2.0/24', gateway: '192.0.2.1', public: true },
      ],
      ['GET', `/v1/admin/ip-pools/${MISSING_ID}`],
      ['PATCH', `/v1/admin/ip-pools/${MISSING_ID}`, { name: 'x' }],
      ['DELETE', `/v1/admin/ip-pools/${MISSING_ID}`],
    ];
    for (const [method, path, body] of calls) {
      expect((await ada.api.request(method, path, { body })).status, `${method} ${path}`).toBe(403);
      expect((await t.api.request(method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
  });
});

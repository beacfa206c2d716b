import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import type { IpAllocation } from '../src/compute/ip-pools/ip-allocator.js';
import { AppError } from '../src/platform/errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Runs on PGlite, and on PostgreSQL (where transactions really run side by side) with
//   SWIFTCLOUD_PG_PORT=54378 scripts/with-postgres.sh npx vitest run packages/server/test/ip-pools-allocator.test.ts

let t: TestApp;
let actor: Principal;
let nodeId: string;
let otherNodeId: string;

async function node(name: string): Promise<string> {
  const n = await t.services.nodes.create(actor, {
    name,
    driver: 'simulator',
    cpus: 8,
    memory_mib: 8192,
    disk_gib: 100,
  });
  return n.id;
}

async function pool(
  name: string,
  cidr: string,
  gateway: string,
  opts: { public?: boolean; nodes?: string[]; first?: string; last?: string } = {},
) {
  return t.services.ipPools.create(actor, {
    name,
    cidr,
    gateway,
    public: opts.public ?? true,
    node_ids: opts.nodes ?? [nodeId],
    range_first: opts.first,
    range_last: opts.last,
  });
}

/** One allocation in its own transaction, held open a moment so that others overlap it. */
function allocate(want: { public: boolean; nodeId?: string }): Promise<IpAllocation> {
  return t.database.db.transaction().execute(async (tx) => {
    const got = await t.services.ipAllocator.allocate(tx, {
      public: want.public,
      nodeId: want.nodeId ?? nodeId,
    });
    await sql`select pg_sleep(0.01)`.execute(tx);
    return got;
  });
}

async function release(address: string): Promise<boolean> {
  return t.database.db.transaction().execute((tx) => t.services.ipAllocator.release(tx, address));
}

beforeAll(async () => {
  t = await startTestApp();
  const user = await t.services.users.insert({
    email: 'ops@example.co.zm',
    name: 'Ops',
    passwordHash: 'x',
    isAdmin: true,
    now: t.clock.now(),
  });
  actor = {
    via: 'api_key',
    user: { id: user.id, email: user.email, name: user.name, isAdmin: true, createdAt: new Date() },
    apiKeyId: 'test',
    scope: 'read_write',
    projectId: null,
  };
  nodeId = await node('alloc-node');
  otherNodeId = await node('alloc-other');
});
afterAll(() => t.close());

describe('the IP allocator', () => {
  it('gives 50 concurrent allocations 50 distinct addresses, never network, broadcast or gateway', async () => {
    const p = await pool('busy', '203.0.113.0/26', '203.0.113.33');
    const got = await Promise.all(Array.from({ length: 50 }, () => allocate({ public: true })));
    const addresses = got.map((g) => g.address);
    expect(new Set(addresses).size).toBe(50);
    expect(addresses).not.toContain('203.0.113.0');
    expect(addresses).not.toContain('203.0.113.63');
    expect(addresses).not.toContain('203.0.113.33');
    for (const g of got)
      expect(g).toMatchObject({ poolId: p.id, prefix: 26, gateway: '203.0.113.33' });
    expect(addresses.every((a) => /^203\.0\.113\.(\d+)$/.test(a))).toBe(true);
    expect((await t.services.ipPools.get(p.id)).allocated).toBe(50);
  });

  it('hands out every address of the pool and then answers RESOURCE_UNAVAILABLE naming it', async () => {
    // 203.0.113.0/26 has 62 hosts less the gateway: 61, of which 50 are taken.
    const rest = await Promise.all(Array.from({ length: 11 }, () => allocate({ public: true })));
    const all = await t.database.db
      .selectFrom('ip_addresses')
      .select('address')
      .where('allocated_at', 'is not', null)
      .execute();
    expect(all).toHaveLength(61);
    expect(rest.map((r) => r.address)).toContain('203.0.113.62');
    const err = await allocate({ public: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'RESOURCE_UNAVAILABLE',
      status: 503,
      message: 'IP pool busy has no free public addresses',
    });
  });

  it('hands a released address out again', async () => {
    expect(await release('203.0.113.17')).toBe(true);
    expect(await release('203.0.113.17')).toBe(false);
    expect((await allocate({ public: true })).address).toBe('203.0.113.17');
  });

  it('lets exactly as many concurrent allocations win as the pool has addresses', async () => {
    // 198.51.100.0/28: 14 hosts, 10 handed out (.3 .. .12, gateway .1 outside the range).
    const p = await pool('small-race', '198.51.100.0/28', '198.51.100.1', {
      public: false,
      first: '198.51.100.3',
      last: '198.51.100.12',
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 25 }, () => allocate({ public: false })),
    );
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.address] : []));
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(new Set(won).size).toBe(10);
    expect(won.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `198.51.100.${i + 3}`).sort());
    expect(lost).toHaveLength(15);
    for (const e of lost) expect(e).toMatchObject({ code: 'RESOURCE_UNAVAILABLE' });
    expect((await t.services.ipPools.get(p.id)).allocated).toBe(10);
  });

  it('gives the address back when the caller’s transaction rolls back', async () => {
    await pool('rollback', '192.0.2.0/29', '192.0.2.1', { nodes: [otherNodeId] });
    const failed = await t.database.db
      .transaction()
      .execute(async (tx) => {
        const got = await t.services.ipAllocator.allocate(tx, {
          public: true,
          nodeId: otherNodeId,
        });
        expect(got.address).toBe('192.0.2.2');
        throw new Error('provisioning failed');
      })
      .catch((e: Error) => e.message);
    expect(failed).toBe('provisioning failed');
    expect((await allocate({ public: true, nodeId: otherNodeId })).address).toBe('192.0.2.2');
  });

  it('takes public and private addresses only from pools of that kind serving the node', async () => {
    // alloc-other is served by the public pool `rollback` only.
    const err = await allocate({ public: false, nodeId: otherNodeId }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'RESOURCE_UNAVAILABLE',
      message: 'No private IP pool serves node alloc-other; an administrator must add one',
    });
    expect((await allocate({ public: true, nodeId: otherNodeId })).address).toMatch(/^192\.0\.2\./);
  });

  it('names every full pool when all that serve the node are full', async () => {
    const err = await allocate({ public: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'IP pool small-race has no free private addresses' });
    await pool('spill', '10.30.0.0/30', '10.30.0.1', { public: false });
    // The next pool serving the node takes over.
    expect((await allocate({ public: false })).address).toBe('10.30.0.2');
    const both = await allocate({ public: false }).catch((e: unknown) => e);
    expect(both).toMatchObject({
      message: 'IP pools small-race, spill have no free private addresses',
    });
  });
});

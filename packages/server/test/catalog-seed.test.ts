import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIAL_COUPON, seedFreshInstall } from '../src/compute/catalog/seed.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { sshPublicKey } from './support/vms.js';

let t: TestApp;
let ada: SignedUpUser;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.api, 'Ada');
});
afterAll(() => t.close());

const page = { page: 1, per_page: 100 };

describe('seeding a fresh install', () => {
  it('seeds once, even when two starts race, and skips ever after', async () => {
    const outcomes = await Promise.all([
      seedFreshInstall(t.database.db, t.clock),
      seedFreshInstall(t.database.db, t.clock),
    ]);
    expect(outcomes.sort()).toEqual(['seeded', 'skipped']);
    expect(await seedFreshInstall(t.database.db, t.clock)).toBe('skipped');
    const { total } = await t.services.templates.list(page);
    expect(total).toBe(4);
  });

  it('offers the four templates and at least four sizes with kwacha prices to customers', async () => {
    const templates = await ada.api.get('/v1/templates');
    expect(templates.body.data.map((x: { slug: string }) => x.slug)).toEqual([
      'debian-12',
      'rocky-9',
      'ubuntu-22.04',
      'ubuntu-24.04',
    ]);
    const sizes = await ada.api.get('/v1/sizes');
    expect(sizes.body.data.map((s: { slug: string }) => s.slug)).toEqual([
      'small',
      'medium',
      'large',
      'xlarge',
    ]);
    expect(sizes.body.data[0]).toEqual({
      id: expect.any(String),
      slug: 'small',
      vcpus: 1,
      memoryMiB: 1024,
      diskGiB: 25,
      hourlyPrice: '0.2232',
      monthlyCap: '150.00',
      currency: 'ZMW',
    });
    // Every size fits every template.
    const minDisk = Math.max(
      ...templates.body.data.map((x: { minDiskGiB: number }) => x.minDiskGiB),
    );
    for (const s of sizes.body.data) expect(s.diskGiB).toBeGreaterThanOrEqual(minDisk);
  });

  it('adds the simulator node sim-1 with a source for every template', async () => {
    const { data: nodes } = await t.services.nodes.list(page);
    expect(nodes).toEqual([
      expect.objectContaining({
        name: 'sim-1',
        driver: 'simulator',
        active: true,
        credentialKeys: [],
      }),
    ]);
    const sim = nodes[0]!;
    const { data: templates } = await t.services.templates.list(page);
    for (const template of templates)
      expect(template.sources).toEqual([
        { nodeId: sim.id, nodeName: 'sim-1', source: `${template.slug}-cloud` },
      ]);
  });

  it('adds a public and a private pool serving sim-1, from which VMs take addresses', async () => {
    const { data: pools } = await t.services.ipPools.list(page);
    const sim = (await t.services.nodes.list(page)).data[0]!;
    expect(pools).toEqual([
      expect.objectContaining({
        name: 'private-1',
        cidr: '10.20.0.0/20',
        gateway: '10.20.0.1',
        public: false,
        nodeIds: [sim.id],
        allocated: 0,
      }),
      expect.objectContaining({
        name: 'public-1',
        cidr: '198.51.100.0/24',
        gateway: '198.51.100.1',
        public: true,
        nodeIds: [sim.id],
        addresses: 253,
      }),
    ]);
    const got = await t.database.db
      .transaction()
      .execute(async (tx) => [
        await t.services.ipAllocator.allocate(tx, { public: true, nodeId: sim.id }),
        await t.services.ipAllocator.allocate(tx, { public: false, nodeId: sim.id }),
      ]);
    expect(got.map((g) => `${g.address}/${g.prefix} via ${g.gateway}`)).toEqual([
      '198.51.100.2/24 via 198.51.100.1',
      '10.20.0.2/20 via 10.20.0.1',
    ]);
  });

  it('does not undo what an administrator changed on the next start', async () => {
    const small = (await t.services.sizes.list(page)).data.find((s) => s.slug === 'small')!;
    await t.database.db.deleteFrom('sizes').where('id', '=', small.id).execute();
    expect(await seedFreshInstall(t.database.db, t.clock)).toBe('skipped');
    expect((await t.services.sizes.list(page)).data.map((s) => s.slug)).not.toContain('small');
  });
});

// Last: it takes an address from the seeded pools.
describe('the trial coupon', () => {
  it('lets a newcomer top up a new project with the trial coupon and make a VM at once', async () => {
    const project = (await ada.api.post('/v1/projects', { name: 'First steps' })).body.data.id;
    const refused = await ada.api.post('/v1/vms', {
      project_id: project,
      name: 'first',
      template: 'ubuntu-24.04',
      size: 'medium',
      ssh_key: sshPublicKey(),
    });
    expect(refused.status).toBe(402);
    const topup = await ada.api.post('/v1/billing/topup', {
      project_id: project,
      coupon_code: TRIAL_COUPON.code.toLowerCase(),
    });
    expect(topup.status, JSON.stringify(topup.body)).toBe(201);
    expect((await ada.api.get(`/v1/billing/balance?project_id=${project}`)).body.data.balance).toBe(
      '100.00',
    );
    const made = await ada.api.post('/v1/vms', {
      project_id: project,
      name: 'first',
      template: 'ubuntu-24.04',
      size: 'medium',
      ssh_key: sshPublicKey(),
    });
    expect(made.status).toBe(202);
    // Once per project, and only for projects that never paid.
    expect(
      (
        await ada.api.post('/v1/billing/topup', {
          project_id: project,
          coupon_code: TRIAL_COUPON.code,
        })
      ).status,
    ).toBe(409);
  });
});

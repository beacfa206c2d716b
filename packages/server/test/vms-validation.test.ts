import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUpUser } from './support/client.js';
import { credit } from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { seedCatalog, sshPublicKey, vmStatus } from './support/vms.js';

let t: TestApp;
let owner: SignedUpUser;
let projectId: string;
const key = sshPublicKey();

beforeAll(async () => {
  t = await startTestApp({ SWIFTCLOUD_SIMULATOR_DELAYS: 'zero' });
  await seedCatalog(t);
  owner = await signUp(t.api);
  projectId = (await owner.api.post('/v1/projects', { name: 'Rules' })).body.data.id;
  // Billing refuses a VM the project cannot pay an hour of.
  await credit(t, projectId, 1_000_000);
});
afterAll(() => t.close());

function body(overrides: Record<string, unknown> = {}) {
  return {
    project_id: projectId,
    name: 'web-1',
    template: 'ubuntu-24.04',
    size: 'small',
    ssh_key: key,
    public_ip: false,
    ...overrides,
  };
}

async function refused(overrides: Record<string, unknown>, field: string) {
  const res = await owner.api.post('/v1/vms', body(overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  const detail = res.body.error.details.find((d: { field: string }) => d.field === field);
  expect(detail, JSON.stringify(res.body)).toBeDefined();
  return detail.message as string;
}

describe('creating a VM refuses what is wrong, saying what to fix', () => {
  it.each([
    ['uppercase letters', 'Web-1'],
    ['a leading hyphen', '-web'],
    ['a trailing hyphen', 'web-'],
    ['a dot', 'web.1'],
    ['an underscore', 'web_1'],
    ['64 characters', 'a'.repeat(64)],
    ['nothing', ''],
  ])('a name with %s is not a hostname', async (_what, name) => {
    expect(await refused({ name }, 'name')).toMatch(/name must/);
  });

  it('accepts a 63-character name', async () => {
    const res = await owner.api.post('/v1/vms', body({ name: 'a'.repeat(63) }));
    expect(res.status).toBe(202);
  });

  it('refuses a second VM of the same name in the project, but not in another project', async () => {
    const first = await owner.api.post('/v1/vms', body({ name: 'twin' }));
    expect(first.status).toBe(202);
    const second = await owner.api.post('/v1/vms', body({ name: 'twin' }));
    expect(second.status).toBe(409);
    expect(second.body.error.details[0]).toMatchObject({ field: 'name' });
    const other = (await owner.api.post('/v1/projects', { name: 'Other' })).body.data.id;
    // Billing refuses a VM the project cannot pay an hour of.
    await credit(t, other, 1_000_000);
    expect(
      (await owner.api.post('/v1/vms', body({ name: 'twin', project_id: other }))).status,
    ).toBe(202);
  });

  it('names the templates and sizes there are when one is unknown', async () => {
    expect(await refused({ template: 'windows-95' }, 'template')).toMatch(
      /no template windows-95.*ubuntu-24\.04/,
    );
    expect(await refused({ size: 'huge' }, 'size')).toMatch(/no size huge.*small/);
  });

  it('refuses a size whose disk is smaller than the template needs', async () => {
    await t.database.db
      .updateTable('templates')
      .set({ min_disk_gib: 40 })
      .where('slug', '=', 'rocky-9')
      .execute();
    expect(await refused({ template: 'rocky-9', size: 'small' }, 'size')).toMatch(
      /25 GiB disk; template rocky-9 needs at least 40 GiB/,
    );
    expect(
      (
        await owner.api.post(
          '/v1/vms',
          body({ name: 'rocky', template: 'rocky-9', size: 'medium' }),
        )
      ).status,
    ).toBe(202);
  });

  it('refuses an inactive template as unknown', async () => {
    await t.database.db
      .updateTable('templates')
      .set({ active: false })
      .where('slug', '=', 'debian-12')
      .execute();
    expect(await refused({ template: 'debian-12' }, 'template')).toMatch(/no template debian-12/);
  });

  it('refuses a pasted private key, saying it is private', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(await refused({ ssh_key: pem }, 'ssh_key')).toMatch(/private/i);
    const openssh =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(await refused({ ssh_key: openssh }, 'ssh_key')).toMatch(/private/i);
  });

  it('refuses a key that is not an OpenSSH public key, or a weak RSA one', async () => {
    await refused({ ssh_key: 'hello' }, 'ssh_key');
    await refused({ ssh_key: 'ssh-ed25519 AAAA' }, 'ssh_key');
    expect(
      await refused({ ssh_key: sshPublicKey('old@box', { rsaBits: 1024 }) }, 'ssh_key'),
    ).toMatch(/2048/);
  });

  it('refuses unknown fields and wrong types', async () => {
    await refused({ colour: 'blue' }, 'colour');
    await refused({ public_ip: 'yes' }, 'public_ip');
    await refused({ project_id: 'nope' }, 'project_id');
  });

  it('answers 404 for a project the caller is not in, 403 for a viewer, 401 anonymously', async () => {
    const stranger = await signUp(t.api);
    const res = await stranger.api.post('/v1/vms', body({ name: 'intruder' }));
    expect(res.status).toBe(404);
    await owner.api.post(`/v1/projects/${projectId}/members`, {
      email: stranger.email,
      role: 'viewer',
    });
    const viewer = await stranger.api.post('/v1/vms', body({ name: 'viewer-vm' }));
    expect(viewer.status).toBe(403);
    expect((await t.api.post('/v1/vms', body({ name: 'anon' }))).status).toBe(401);
  });

  it('lets a viewer read VMs and actions but not act on them', async () => {
    const viewer = await signUp(t.api);
    await owner.api.post(`/v1/projects/${projectId}/members`, {
      email: viewer.email,
      role: 'viewer',
    });
    const vm = (await owner.api.post('/v1/vms', body({ name: 'watched' }))).body.data;
    await vmStatus(owner.api, vm.id, 'running');
    expect((await viewer.api.get(`/v1/vms/${vm.id}`)).status).toBe(200);
    expect((await viewer.api.get(`/v1/vms?project_id=${projectId}`)).status).toBe(200);
    const actions = await viewer.api.get(`/v1/vms/${vm.id}/actions`);
    expect(actions.status).toBe(200);
    expect((await viewer.api.get(`/v1/actions/${actions.body.data[0].id}`)).status).toBe(200);
    expect((await viewer.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' })).status).toBe(403);
    expect((await viewer.api.delete(`/v1/vms/${vm.id}`)).status).toBe(403);
    const stranger = await signUp(t.api);
    expect((await stranger.api.get(`/v1/vms/${vm.id}`)).status).toBe(404);
    expect((await stranger.api.get(`/v1/actions/${actions.body.data[0].id}`)).status).toBe(404);
    expect((await stranger.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' })).status).toBe(
      404,
    );
  });

  it('refuses an unknown power action, naming the ones there are', async () => {
    const vm = (await owner.api.post('/v1/vms', body({ name: 'powered' }))).body.data;
    const res = await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'hibernate' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toMatch(/start, stop, shutdown, reboot, reset/);
  });

  it('answers RESOURCE_UNAVAILABLE naming the pool when the pool is empty', async () => {
    const pool = await t.database.db
      .selectFrom('ip_pools')
      .select('id')
      .where('name', '=', 'public-1')
      .executeTakeFirstOrThrow();
    await t.database.db
      .updateTable('ip_addresses')
      .set({ allocated_at: new Date() })
      .where('pool_id', '=', pool.id)
      .where('allocated_at', 'is', null)
      .execute();
    const res = await owner.api.post('/v1/vms', body({ name: 'no-room', public_ip: true }));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('RESOURCE_UNAVAILABLE');
    expect(res.body.error.message).toMatch(/public-1/);
    const names = (
      await owner.api.get(`/v1/vms?project_id=${projectId}&per_page=100`)
    ).body.data.map((v: { name: string }) => v.name);
    expect(names).not.toContain('no-room');
  });

  it('answers RESOURCE_UNAVAILABLE when no node has room for the size', async () => {
    await t.database.db.updateTable('nodes').set({ memory_mib: 2048 }).execute();
    const res = await owner.api.post('/v1/vms', body({ name: 'too-big', size: 'large' }));
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/No hypervisor node has room for size large/);
  });
});

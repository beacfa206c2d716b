import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTime } from '../src/platform/clock.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let t: TestApp;
let ada: SignedUpUser;
let bob: SignedUpUser;
let adaProject: string;
let adaOtherProject: string;
let bobProject: string;

beforeAll(async () => {
  t = await startTestApp();
  [ada, bob] = await Promise.all([signUp(t.api, 'Ada'), signUp(t.api, 'Bob')]);
  adaProject = (await ada.api.post('/v1/projects', { name: 'Ada main' })).body.data.id;
  adaOtherProject = (await ada.api.post('/v1/projects', { name: 'Ada side' })).body.data.id;
  bobProject = (await bob.api.post('/v1/projects', { name: 'Bob main' })).body.data.id;
});
afterAll(() => t.close());

async function createKey(owner: SignedUpUser, body: Record<string, unknown>) {
  const res = await owner.api.post('/v1/api-keys', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as {
    id: string;
    key: string;
    prefix: string;
    scope: string;
    projectId: string | null;
    expiresAt: string | null;
    lastUsedAt: string | null;
  };
}

describe('creating and listing keys', () => {
  it('creates a read_write key starting sc_, shown in the create response', async () => {
    const res = await ada.api.post('/v1/api-keys', { name: '  CI deploys  ' });
    expect(res.status).toBe(201);
    const k = res.body.data;
    expect(Object.keys(k).sort()).toEqual(
      [
        'createdAt',
        'expiresAt',
        'id',
        'key',
        'lastUsedAt',
        'name',
        'prefix',
        'projectId',
        'scope',
      ].sort(),
    );
    expect(k.key).toMatch(/^sc_[A-Za-z0-9_-]{40,}$/);
    expect(k.key.startsWith(k.prefix)).toBe(true);
    expect(k.prefix.length).toBeLessThan(k.key.length / 2);
    expect(k).toMatchObject({
      name: 'CI deploys',
      scope: 'read_write',
      projectId: null,
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(k.createdAt).toMatch(RFC3339);
    const me = await ada.api.as(k.key).get('/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({
      user: { id: ada.id },
      authenticatedBy: 'api_key',
      csrfToken: null,
      expiresAt: null,
    });
  });

  it('lists the caller’s keys without ever showing the secret again', async () => {
    const k = await createKey(ada, { name: 'listed' });
    const res = await ada.api.get('/v1/api-keys?per_page=100');
    expect(res.status).toBe(200);
    const listed = res.body.data.find((x: { id: string }) => x.id === k.id);
    expect(listed).toMatchObject({ name: 'listed', prefix: k.prefix, scope: 'read_write' });
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(res.body)).not.toContain(k.key);
    expect(res.body.meta).toMatchObject({ page: 1, perPage: 100 });
    expect(res.body.meta.total).toBe(res.body.data.length);
  });

  it('lists only the caller’s own keys', async () => {
    const bobs = await createKey(bob, { name: 'bob only' });
    const adas = await ada.api.get('/v1/api-keys?per_page=100');
    expect(adas.body.data.map((x: { id: string }) => x.id)).not.toContain(bobs.id);
  });

  it('paginates the list', async () => {
    const all = await ada.api.get('/v1/api-keys?per_page=100');
    expect(all.body.meta.total).toBeGreaterThanOrEqual(2);
    const first = await ada.api.get('/v1/api-keys?per_page=1&page=1');
    const second = await ada.api.get('/v1/api-keys?per_page=1&page=2');
    expect(first.body.data).toHaveLength(1);
    expect(second.body.data).toHaveLength(1);
    expect(first.body.data[0].id).not.toBe(second.body.data[0].id);
    expect(second.body.meta).toEqual({ page: 2, perPage: 1, total: all.body.meta.total });
  });

  it('stores only a hash: the secret is nowhere in the api_keys table', async () => {
    const k = await createKey(ada, { name: 'hashed' });
    const rows = await t.database.db.selectFrom('api_keys').selectAll().execute();
    const row = rows.find((r) => r.id === k.id);
    expect(row).toBeDefined();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(k.key);
    expect(stored).not.toContain(k.key.slice(k.prefix.length));
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: 'k', scope: 'admin' }, 'scope'],
    [{ name: 'k', project_id: 'nope' }, 'project_id'],
    [{ name: 'k', expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'k', secret: 'mine' }, 'secret'],
  ])('refuses %j naming %s', async (body, field) => {
    const res = await ada.api.post('/v1/api-keys', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });

  it('needs a signed-in caller', async () => {
    expect((await t.api.get('/v1/api-keys')).status).toBe(401);
    expect((await t.api.post('/v1/api-keys', { name: 'anon' })).status).toBe(401);
  });
});

describe('revoking keys', () => {
  it('revokes with 204, after which the key gets 401 and leaves the list', async () => {
    const k = await createKey(ada, { name: 'to revoke' });
    const client = t.api.as(k.key);
    expect((await client.get('/v1/projects')).status).toBe(200);
    const res = await ada.api.delete(`/v1/api-keys/${k.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    const after = await client.get('/v1/projects');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHORIZED');
    const list = await ada.api.get('/v1/api-keys?per_page=100');
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(k.id);
    expect((await ada.api.delete(`/v1/api-keys/${k.id}`)).status).toBe(404);
  });

  it("answers 404 for someone else's key and leaves it working", async () => {
    const bobs = await createKey(bob, { name: 'bob keeps this' });
    const res = await ada.api.delete(`/v1/api-keys/${bobs.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await t.api.as(bobs.key).get('/v1/projects')).status).toBe(200);
  });

  it('answers 404 for a key id that does not exist', async () => {
    const res = await ada.api.delete('/v1/api-keys/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
  });
});

describe('expiry and use', () => {
  it('refuses an expires_at that is not in the future, naming the field', async () => {
    for (const at of [new Date(t.clock.now().getTime() - 1000), t.clock.now()]) {
      const res = await ada.api.post('/v1/api-keys', { name: 'old', expires_at: at.toISOString() });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        { field: 'expires_at', message: expect.any(String) },
      ]);
    }
  });

  it('stops a key once the clock passes its expires_at', async () => {
    const expiresAt = new Date(t.clock.now().getTime() + 10 * 60_000);
    const k = await createKey(ada, { name: 'short lived', expires_at: expiresAt.toISOString() });
    expect(k.expiresAt).toBe(apiTime(expiresAt));
    const client = t.api.as(k.key);
    expect((await client.get('/v1/projects')).status).toBe(200);
    t.clock.advance(10 * 60_000 - 1000);
    expect((await client.get('/v1/projects')).status).toBe(200);
    t.clock.advance(1000);
    const expired = await client.get('/v1/projects');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('UNAUTHORIZED');
  });

  it('accepts an expires_at with an offset', async () => {
    const at = new Date(t.clock.now().getTime() + 86_400_000);
    const withOffset = at.toISOString().replace('Z', '+00:00');
    const k = await createKey(ada, { name: 'offset', expires_at: withOffset });
    expect(k.expiresAt).toBe(apiTime(at));
  });

  it('records lastUsedAt when the key is used', async () => {
    const k = await createKey(ada, { name: 'used' });
    expect(k.lastUsedAt).toBeNull();
    t.clock.advance(5000);
    const usedAt = t.clock.now();
    expect((await t.api.as(k.key).get('/v1/projects')).status).toBe(200);
    const list = await ada.api.get('/v1/api-keys?per_page=100');
    const listed = list.body.data.find((x: { id: string }) => x.id === k.id);
    expect(listed.lastUsedAt).toBe(apiTime(usedAt));
  });
});

describe('scopes', () => {
  it('lets a read key read but answers 403 when it writes', async () => {
    const k = await createKey(ada, { name: 'reader', scope: 'read' });
    expect(k.scope).toBe('read');
    const reader = t.api.as(k.key);
    const list = await reader.get('/v1/projects');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining([adaProject, adaOtherProject]),
    );
    expect((await reader.get(`/v1/projects/${adaProject}`)).status).toBe(200);
    const create = await reader.post('/v1/projects', { name: 'Nope' });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('FORBIDDEN');
    expect((await reader.patch(`/v1/projects/${adaProject}`, { name: 'Nope' })).status).toBe(403);
    expect((await reader.delete(`/v1/projects/${adaOtherProject}`)).status).toBe(403);
    const names = (await ada.api.get('/v1/projects')).body.data.map(
      (p: { name: string }) => p.name,
    );
    expect(names).not.toContain('Nope');
  });

  it('lets a read_write key write, with no CSRF token', async () => {
    const k = await createKey(ada, { name: 'writer', scope: 'read_write' });
    const writer = t.api.as(k.key);
    const created = await writer.post('/v1/projects', { name: 'Made by key' });
    expect(created.status).toBe(201);
    expect(created.body.data.role).toBe('owner');
    expect((await writer.delete(`/v1/projects/${created.body.data.id}`)).status).toBe(204);
  });

  it('does not let an API key manage API keys', async () => {
    const k = await createKey(ada, { name: 'cannot mint' });
    const victim = await createKey(ada, { name: 'victim' });
    const key = t.api.as(k.key);
    const list = await key.get('/v1/api-keys');
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('FORBIDDEN');
    expect((await key.post('/v1/api-keys', { name: 'minted' })).status).toBe(403);
    expect((await key.delete(`/v1/api-keys/${victim.id}`)).status).toBe(403);
    expect((await t.api.as(victim.key).get('/v1/projects')).status).toBe(200);
  });
});

describe('keys bound to a project', () => {
  it('see only their project, 404 on others and 403 on creating projects', async () => {
    const k = await createKey(ada, { name: 'bound', project_id: adaProject });
    expect(k.projectId).toBe(adaProject);
    const bound = t.api.as(k.key);
    const list = await bound.get('/v1/projects');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([adaProject]);
    expect(list.body.meta.total).toBe(1);
    expect((await bound.get(`/v1/projects/${adaProject}`)).status).toBe(200);
    const other = await bound.get(`/v1/projects/${adaOtherProject}`);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect((await bound.patch(`/v1/projects/${adaOtherProject}`, { name: 'x' })).status).toBe(404);
    expect((await bound.get(`/v1/projects/${adaOtherProject}/members`)).status).toBe(404);
    const create = await bound.post('/v1/projects', { name: 'Escape' });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('FORBIDDEN');
    const renamed = await bound.patch(`/v1/projects/${adaProject}`, { description: 'by key' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.description).toBe('by key');
  });

  it('cannot be bound to a project the caller is not a member of', async () => {
    for (const projectId of [bobProject, '00000000-0000-4000-8000-000000000000']) {
      const res = await ada.api.post('/v1/api-keys', { name: 'sneaky', project_id: projectId });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([
        { field: 'project_id', message: expect.any(String) },
      ]);
    }
  });
});

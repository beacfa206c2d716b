import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConfiguredAdmin } from '../src/admin/admin-account.js';
import { hashPassword } from '../src/auth/passwords.js';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN_EMAIL = 'Root@Example.co.zm';
const ADMIN_PASSWORD = 'operator password 1';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let t: TestApp;
let admin: ApiClient;
let adminId: string;
let ada: SignedUpUser;

async function login(email: string, password: string) {
  return t.api.post('/v1/auth/login', { email, password });
}

beforeAll(async () => {
  t = await startTestApp({
    SWIFTCLOUD_ADMIN_EMAIL: ADMIN_EMAIL,
    SWIFTCLOUD_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  ada = await signUp(t.api, 'Ada');
});
afterAll(() => t.close());

describe('the configured administrator', () => {
  it('is created from the configuration, as an admin who can sign in', async () => {
    expect(t.config.admin).toEqual({ email: ADMIN_EMAIL.toLowerCase(), password: ADMIN_PASSWORD });
    expect(await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock)).toBe('created');
    const res = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ email: 'root@example.co.zm', isAdmin: true });
    adminId = res.body.data.user.id;
    admin = t.api.as(res.body.data.token);
  });

  it('is left unchanged on the next start', async () => {
    expect(await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock)).toBe(
      'unchanged',
    );
    const rows = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'root@example.co.zm')
      .execute();
    expect(rows).toEqual([{ id: adminId }]);
  });

  it('gets back its admin flag, password and enabled state on the next start', async () => {
    await t.services.users.update(adminId, {
      isAdmin: false,
      disabledAt: t.clock.now(),
      passwordHash: await hashPassword('someone changed it'),
      now: t.clock.now(),
    });
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(401);

    expect(await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock)).toBe('updated');
    const row = await t.services.users.findById(adminId);
    expect(row).toMatchObject({ is_admin: true, disabled_at: null });
    const res = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id: adminId, isAdmin: true });
    expect((await login(ADMIN_EMAIL, 'someone changed it')).status).toBe(401);
    admin = t.api.as(res.body.data.token);
  });

  it('makes an existing ordinary account with that email the administrator', async () => {
    const other = await signUp(t.api, 'Promoted');
    const result = await ensureConfiguredAdmin(
      t.services.users,
      { email: other.email, password: 'a brand new password' },
      t.clock,
    );
    expect(result).toBe('updated');
    const res = await login(other.email, 'a brand new password');
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id: other.id, isAdmin: true });
  });
});

describe('listing users', () => {
  it('lists accounts with their admin and disabled state', async () => {
    const res = await admin.get('/v1/admin/users?per_page=100');
    expect(res.status).toBe(200);
    const emails = res.body.data.map((u: { email: string }) => u.email);
    expect(emails).toEqual(expect.arrayContaining(['root@example.co.zm', ada.email]));
    const row = res.body.data.find((u: { id: string }) => u.id === ada.id);
    expect(row).toEqual({
      id: ada.id,
      email: ada.email,
      name: 'Ada',
      isAdmin: false,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      disabledAt: null,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
    expect(res.body.meta).toEqual({ page: 1, perPage: 100, total: res.body.data.length });
  });

  it('filters by part of the email, case-insensitively', async () => {
    const res = await admin.get(`/v1/admin/users?email=${encodeURIComponent('ROOT@EXAMPLE')}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: { id: string }) => u.id)).toEqual([adminId]);
    expect(res.body.meta.total).toBe(1);
  });

  it('treats LIKE wildcards in the filter as plain characters', async () => {
    const res = await admin.get(`/v1/admin/users?email=${encodeURIComponent('%')}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.meta.total).toBe(0);
    const underscore = await admin.get('/v1/admin/users?email=r_ot');
    expect(underscore.body.data).toEqual([]);
  });

  it('paginates', async () => {
    const all = await admin.get('/v1/admin/users?per_page=100');
    const total = all.body.meta.total;
    expect(total).toBeGreaterThanOrEqual(3);
    const pages = await Promise.all(
      [1, 2, 3].map((page) => admin.get(`/v1/admin/users?per_page=1&page=${page}`)),
    );
    const ids = pages.map((p) => p.body.data[0].id);
    expect(new Set(ids).size).toBe(3);
    expect(ids).toEqual(all.body.data.slice(0, 3).map((u: { id: string }) => u.id));
    expect(pages[1]!.body.meta).toEqual({ page: 2, perPage: 1, total });
    const past = await admin.get(`/v1/admin/users?per_page=1&page=${total + 1}`);
    expect(past.body.data).toEqual([]);
  });

  it('answers 403 to a signed-in user who is not an admin', async () => {
    const res = await ada.api.get('/v1/admin/users');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await ada.api.post(`/v1/admin/users/${ada.id}/disable`)).status).toBe(403);
    expect((await ada.api.post(`/v1/admin/users/${ada.id}/enable`)).status).toBe(403);
  });

  it('answers 401 to anonymous callers', async () => {
    const res = await t.api.get('/v1/admin/users');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect((await t.api.post(`/v1/admin/users/${ada.id}/disable`)).status).toBe(401);
  });
});

describe('disabling and enabling', () => {
  it('stops the user’s sessions and API keys at once and refuses sign-in; enabling restores sign-in', async () => {
    const bob = await signUp(t.api, 'Bob');
    const key = await bob.api.post('/v1/api-keys', { name: 'bob script' });
    expect(key.status).toBe(201);
    const bobKey = t.api.as(key.body.data.key);
    expect((await bob.api.get('/v1/auth/me')).status).toBe(200);
    expect((await bobKey.get('/v1/projects')).status).toBe(200);

    const disabled = await admin.post(`/v1/admin/users/${bob.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.data).toMatchObject({ id: bob.id, email: bob.email });
    expect(disabled.body.data.disabledAt).toMatch(/Z$/);

    const session = await bob.api.get('/v1/auth/me');
    expect(session.status).toBe(401);
    expect(session.body.error.code).toBe('UNAUTHORIZED');
    expect((await bobKey.get('/v1/projects')).status).toBe(401);
    const refused = await login(bob.email, bob.password);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHORIZED');

    const listed = await admin.get(`/v1/admin/users?email=${encodeURIComponent(bob.email)}`);
    expect(listed.body.data[0].disabledAt).toBe(disabled.body.data.disabledAt);

    const enabled = await admin.post(`/v1/admin/users/${bob.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.data).toMatchObject({ id: bob.id, disabledAt: null });
    const again = await login(bob.email, bob.password);
    expect(again.status).toBe(200);
    expect((await t.api.as(again.body.data.token).get('/v1/auth/me')).status).toBe(200);
    // The sessions that disabling ended stay ended.
    expect((await bob.api.get('/v1/auth/me')).status).toBe(401);
  });

  it('disabling twice keeps the first disabledAt', async () => {
    const cat = await signUp(t.api, 'Cat');
    const first = await admin.post(`/v1/admin/users/${cat.id}/disable`);
    t.clock.advance(60_000);
    const second = await admin.post(`/v1/admin/users/${cat.id}/disable`);
    expect(second.status).toBe(200);
    expect(second.body.data.disabledAt).toBe(first.body.data.disabledAt);
  });

  it('answers 409 when an admin disables their own account', async () => {
    const res = await admin.post(`/v1/admin/users/${adminId}/disable`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect((await admin.get('/v1/auth/me')).status).toBe(200);
  });

  it('answers 404 for an unknown user id and 400 for one that is not a UUID', async () => {
    for (const action of ['disable', 'enable']) {
      const missing = await admin.post(`/v1/admin/users/${MISSING_ID}/${action}`);
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('NOT_FOUND');
      const malformed = await admin.post(`/v1/admin/users/someone/${action}`);
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.details.map((d: { field: string }) => d.field)).toEqual(['id']);
    }
  });
});

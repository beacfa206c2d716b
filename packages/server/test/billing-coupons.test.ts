import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import { ADMIN_SETTINGS, HOUR, signInAdmin } from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: ApiClient;
let owner: SignedUpUser;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp({
    ...ADMIN_SETTINGS,
    // The concurrency case has one user redeem in 100 projects; the limits get their own test.
    SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_USER: '1000',
    SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_PROJECT: '1000',
  });
  admin = await signInAdmin(t);
  owner = await signUp(t.api, 'Coupon owner');
});
afterAll(() => t.close());

async function project(user: SignedUpUser = owner): Promise<string> {
  const res = await user.api.post('/v1/projects', { name: `Coupons ${++seq}` });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function coupon(body: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  const code = (body.code as string | undefined) ?? `PROMO${++seq}X`;
  const res = await admin.post('/v1/admin/coupons', { code, amount: '50.00', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id, code };
}

const topup = (projectId: string, code: string, user: SignedUpUser = owner) =>
  user.api.post('/v1/billing/topup', { project_id: projectId, coupon_code: code });

describe('coupons, as administrators manage them', () => {
  it('creates, lists, gets and changes a coupon', async () => {
    const created = await admin.post('/v1/admin/coupons', {
      code: 'Launch2027',
      amount: '100.50',
      max_redemptions: 3,
      valid_from: '2020-01-01T00:00:00Z',
      valid_until: '2099-01-01T00:00:00+02:00',
      new_projects_only: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({
      code: 'Launch2027',
      amount: '100.50',
      currency: 'ZMW',
      maxRedemptions: 3,
      redemptions: 0,
      validFrom: '2020-01-01T00:00:00Z',
      validUntil: '2098-12-31T22:00:00Z',
      active: true,
      newProjectsOnly: true,
    });
    const id = created.body.data.id;
    expect((await admin.get(`/v1/admin/coupons/${id}`)).body.data).toEqual(created.body.data);
    const listed = await admin.get('/v1/admin/coupons?code=launch');
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([id]);

    t.clock.advance(1000);
    const patched = await admin.patch(`/v1/admin/coupons/${id}`, {
      active: false,
      max_redemptions: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ active: false, maxRedemptions: null });
    expect(patched.body.data.updatedAt).not.toBe(created.body.data.updatedAt);
  });

  it('refuses a second coupon whose code differs only in case', async () => {
    await coupon({ code: 'SameCode' });
    const res = await admin.post('/v1/admin/coupons', { code: 'samecode', amount: '1.00' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('refuses malformed amounts, unknown fields and a window that ends before it starts', async () => {
    for (const [body, field] of [
      [{ code: 'BAD1', amount: '0.00' }, 'amount'],
      [{ code: 'BAD2', amount: '1.234' }, 'amount'],
      [{ code: 'BAD3', amount: 5 }, 'amount'],
      [{ code: 'bad code', amount: '1.00' }, 'code'],
      [{ code: 'BAD4', amount: '1.00', max_redemptions: 0 }, 'max_redemptions'],
      [{ code: 'BAD5', amount: '1.00', amout: '1.00' }, 'amout'],
      [
        {
          code: 'BAD6',
          amount: '1.00',
          valid_from: '2030-01-01T00:00:00Z',
          valid_until: '2029-01-01T00:00:00Z',
        },
        'valid_until',
      ],
    ] as const) {
      const res = await admin.post('/v1/admin/coupons', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('is for administrators only', async () => {
    expect((await owner.api.get('/v1/admin/coupons')).status).toBe(403);
    expect((await owner.api.post('/v1/admin/coupons', { code: 'X1', amount: '1.00' })).status).toBe(
      403,
    );
    expect((await t.api.get('/v1/admin/coupons')).status).toBe(401);
  });
});

describe('POST /v1/billing/topup', () => {
  it('credits the project, records a payment and answers the new balance', async () => {
    const projectId = await project();
    const { code } = await coupon({ amount: '75.25' });
    const res = await topup(projectId, code.toLowerCase());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.payment).toMatchObject({
      amount: '75.25',
      currency: 'ZMW',
      method: 'coupon',
      reference: code,
      status: 'succeeded',
    });
    expect(res.body.data.balance).toEqual({
      balance: '75.25',
      currency: 'ZMW',
      hourlyBurnRate: '0.00',
      hoursRemaining: null,
    });
    const p = await owner.api.get(`/v1/projects/${projectId}`);
    expect(p.body.data.balance).toBe('75.25');
    const payments = await owner.api.get(`/v1/billing/payments?project_id=${projectId}`);
    expect(payments.body.data).toEqual([res.body.data.payment]);
    const c = await admin.get(`/v1/admin/coupons?code=${code}`);
    expect(c.body.data[0].redemptions).toBe(1);
  });

  it('refuses an unknown code as a validation error on coupon_code', async () => {
    const res = await topup(await project(), 'NOSUCHCODE');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'coupon_code', message: 'No coupon has this code' }],
    });
  });

  it('refuses an inactive coupon', async () => {
    const { code } = await coupon({ active: false });
    const res = await topup(await project(), code);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({
      field: 'coupon_code',
      message: `Coupon ${code} is no longer active`,
    });
  });

  it('refuses a coupon before its window opens and after it closes', async () => {
    const now = t.clock.now().getTime();
    const early = await coupon({ valid_from: new Date(now + HOUR).toISOString() });
    const late = await coupon({ valid_until: new Date(now - 1000).toISOString() });
    const a = await topup(await project(), early.code);
    expect(a.status).toBe(400);
    expect(a.body.error.details[0].message).toBe(`Coupon ${early.code} is not valid yet`);
    const b = await topup(await project(), late.code);
    expect(b.status).toBe(400);
    expect(b.body.error.details[0].message).toBe(`Coupon ${late.code} has expired`);
  });

  it('refuses a coupon redeemed as often as it allows', async () => {
    const { code } = await coupon({ max_redemptions: 1 });
    expect((await topup(await project(), code)).status).toBe(201);
    const res = await topup(await project(), code);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'CONFLICT',
      message: `Coupon ${code} has been redeemed as many times as it allows`,
    });
  });

  it('refuses a second redemption by the same project', async () => {
    const projectId = await project();
    const { code } = await coupon();
    expect((await topup(projectId, code)).status).toBe(201);
    const res = await topup(projectId, code);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`This project has already redeemed coupon ${code}`);
    const payments = await owner.api.get(`/v1/billing/payments?project_id=${projectId}`);
    expect(payments.body.meta.total).toBe(1);
  });

  it('gives a new-projects-only coupon to a project that never paid, and refuses one that has', async () => {
    const welcome = await coupon({ new_projects_only: true });
    const fresh = await project();
    expect((await topup(fresh, welcome.code)).status).toBe(201);

    const paying = await project();
    expect((await topup(paying, (await coupon()).code)).status).toBe(201);
    const res = await topup(paying, welcome.code);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `Coupon ${welcome.code} is only for new projects, and this project has paid before`,
    );
  });

  it('lets only owners top up', async () => {
    const projectId = await project();
    const member = await signUp(t.api, 'Member');
    await owner.api.post(`/v1/projects/${projectId}/members`, {
      email: member.email,
      role: 'member',
    });
    const { code } = await coupon();
    const res = await topup(projectId, code, member);
    expect(res.status).toBe(403);
    const outsider = await signUp(t.api, 'Outsider');
    expect((await topup(projectId, code, outsider)).status).toBe(404);
    expect(
      (await t.api.post('/v1/billing/topup', { project_id: projectId, coupon_code: code })).status,
    ).toBe(401);
  });

  it('validates the body as the reference spells it', async () => {
    const projectId = await project();
    const typo = await owner.api.post('/v1/billing/topup', { project_id: projectId, coupon: 'X' });
    expect(typo.status).toBe(400);
    const fields = typo.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['coupon_code', 'coupon']));
  });

  it('pages payments newest first', async () => {
    const projectId = await project();
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const { code } = await coupon({ amount: `${i + 1}.00` });
      codes.push(code);
      expect((await topup(projectId, code)).status).toBe(201);
    }
    const page1 = await owner.api.get(`/v1/billing/payments?project_id=${projectId}&per_page=2`);
    expect(page1.body.data.map((p: { reference: string }) => p.reference)).toEqual([
      codes[2],
      codes[1],
    ]);
    expect(page1.body.meta).toEqual({ page: 1, perPage: 2, total: 3 });
    const page2 = await owner.api.get(
      `/v1/billing/payments?project_id=${projectId}&per_page=2&page=2`,
    );
    expect(page2.body.data.map((p: { reference: string }) => p.reference)).toEqual([codes[0]]);
  });

  it('gives exactly one success to 100 concurrent redemptions of a one-use coupon', async () => {
    const { id, code } = await coupon({ max_redemptions: 1, amount: '10.00' });
    const projects = [];
    for (let i = 0; i < 100; i++) projects.push(await project());
    const results = await Promise.all(projects.map((p) => topup(p, code)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    const c = await admin.get(`/v1/admin/coupons/${id}`);
    expect(c.body.data.redemptions).toBe(1);
    const balances = await Promise.all(
      projects.map(async (p) => (await owner.api.get(`/v1/projects/${p}`)).body.data.balance),
    );
    expect(balances.filter((b) => b === '10.00')).toHaveLength(1);
    expect(balances.filter((b) => b === '0.00')).toHaveLength(99);
  });
});

describe('top-up rate limits', () => {
  let limited: TestApp;
  afterAll(() => limited?.close());

  it('limits attempts per project and per user with RATE_LIMITED and Retry-After', async () => {
    limited = await startTestApp({
      SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_PROJECT: '3',
      SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_USER: '5',
      SWIFTCLOUD_TOPUP_THROTTLE_MINUTES: '10',
    });
    const user = await signUp(limited.api, 'Guesser');
    const mk = async () =>
      (await user.api.post('/v1/projects', { name: 'Guessing' })).body.data.id as string;
    const p1 = await mk();
    const guess = (p: string) =>
      user.api.post('/v1/billing/topup', { project_id: p, coupon_code: 'GUESS' });
    for (let i = 0; i < 3; i++) expect((await guess(p1)).status).toBe(400);
    const blocked = await guess(p1);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(600);

    // The same user in another project: the user's own limit (5) is reached after one more.
    const p2 = await mk();
    expect((await guess(p2)).status).toBe(400);
    expect((await guess(p2)).status).toBe(429);

    limited.clock.advance(10 * 60_000 + 1000);
    expect((await guess(p2)).status).toBe(400);
  });
});

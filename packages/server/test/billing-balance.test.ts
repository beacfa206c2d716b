import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingPolicy, type ProjectSuspension } from '../src/billing/policy.js';
import { signUp, type ApiClient, type SignedUpUser } from './support/client.js';
import {
  ADMIN_SETTINGS,
  HOUR,
  catalog,
  credit,
  deleteVmRow,
  signInAdmin,
  size,
  vmRow,
  type Catalog,
} from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: ApiClient;
let owner: SignedUpUser;
let c: Catalog;
let small: string;

beforeAll(async () => {
  t = await startTestApp({ ...ADMIN_SETTINGS, SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE: '0.07' });
  admin = await signInAdmin(t);
  owner = await signUp(t.api, 'Balance owner');
  c = await catalog(t.database.db, t.clock.now());
  // K0.2232 an hour, K150 a month.
  small = await size(t.database.db, t.clock.now(), 22_320_000, 15_000);
});
afterAll(() => t.close());

async function project(): Promise<string> {
  const res = await owner.api.post('/v1/projects', { name: 'Balance' });
  return res.body.data.id;
}

/** Sessions expire while the clock runs on; sign both in again. */
async function signInAgain(): Promise<void> {
  admin = await signInAdmin(t);
  const login = await t.api.post('/v1/auth/login', {
    email: owner.email,
    password: owner.password,
  });
  owner = { ...owner, token: login.body.data.token, api: t.api.as(login.body.data.token) };
}

const adjust = (projectId: string, amount: string, reason = 'Goodwill credit') =>
  admin.post(`/v1/admin/projects/${projectId}/adjustments`, { amount, reason });

const balance = async (projectId: string, user: SignedUpUser = owner) =>
  (await user.api.get(`/v1/billing/balance?project_id=${projectId}`)).body.data;

describe('GET /v1/billing/prices', () => {
  it("shows any signed-in user the public IPv4 address's hourly price as configured", async () => {
    const res = await owner.api.get('/v1/billing/prices');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ publicIpv4HourlyPrice: '0.07', currency: 'ZMW' });
    expect((await t.api.get('/v1/billing/prices')).status).toBe(401);
  });
});

describe('GET /v1/billing/balance', () => {
  it('shows the balance, the hourly burn rate of live resources and the whole hours left', async () => {
    const projectId = await project();
    expect(await balance(projectId)).toEqual({
      balance: '0.00',
      currency: 'ZMW',
      hourlyBurnRate: '0.00',
      hoursRemaining: null,
    });
    expect((await adjust(projectId, '100.00')).status).toBe(201);
    const a = await vmRow(t.database.db, c, { projectId, sizeId: small, createdAt: t.clock.now() });
    await vmRow(t.database.db, c, {
      projectId,
      sizeId: small,
      createdAt: t.clock.now(),
      publicIp: true,
    });
    // 2 × 0.2232 + 0.07 = 0.5164 ZMW an hour; 100 / 0.5164 = 193.6...
    expect(await balance(projectId)).toEqual({
      balance: '100.00',
      currency: 'ZMW',
      hourlyBurnRate: '0.5164',
      hoursRemaining: 193,
    });
    const listed = await owner.api.get(`/v1/projects/${projectId}`);
    expect(listed.body.data.balance).toBe('100.00');

    await deleteVmRow(t.database.db, a, t.clock.now());
    expect((await balance(projectId)).hourlyBurnRate).toBe('0.2932');
    expect((await adjust(projectId, '-150.00', 'Chargeback')).status).toBe(201);
    expect(await balance(projectId)).toMatchObject({ balance: '-50.00', hoursRemaining: 0 });
  });

  it('is NOT_FOUND to a non-member and needs a project_id', async () => {
    const projectId = await project();
    const outsider = await signUp(t.api, 'Outsider');
    const res = await outsider.api.get(`/v1/billing/balance?project_id=${projectId}`);
    expect(res.status).toBe(404);
    const missing = await owner.api.get('/v1/billing/balance');
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('project_id');
  });
});

describe('POST /v1/admin/projects/{id}/adjustments', () => {
  it('credits with a payment and an audit event, debits with an audit event only', async () => {
    const projectId = await project();
    const credit = await adjust(projectId, '25.50', 'Outage compensation');
    expect(credit.status, JSON.stringify(credit.body)).toBe(201);
    expect(credit.body.data).toMatchObject({
      projectId,
      amount: '25.50',
      currency: 'ZMW',
      reason: 'Outage compensation',
      balance: '25.50',
    });
    t.clock.advance(1000);
    const debit = await adjust(projectId, '-5.25', 'Correction');
    expect(debit.body.data.balance).toBe('20.25');

    const payments = await owner.api.get(`/v1/billing/payments?project_id=${projectId}`);
    expect(payments.body.data).toEqual([
      expect.objectContaining({
        amount: '25.50',
        method: 'admin_credit',
        reference: 'Outage compensation',
        status: 'succeeded',
      }),
    ]);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['billing.credit', 'billing.debit']);
    expect(audit[1]!.details).toMatchObject({ amountNgwee: -525, reason: 'Correction' });
  });

  it('refuses zero, malformed amounts, a missing reason, an unknown project and non-administrators', async () => {
    const projectId = await project();
    for (const [body, field] of [
      [{ amount: '0.00', reason: 'x' }, 'amount'],
      [{ amount: '1.001', reason: 'x' }, 'amount'],
      [{ amount: '1.00', reason: '' }, 'reason'],
      [{ amount: '1.00' }, 'reason'],
    ] as const) {
      const res = await admin.post(`/v1/admin/projects/${projectId}/adjustments`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    }
    const unknown = await adjust('00000000-0000-4000-8000-000000000000', '1.00');
    expect(unknown.status).toBe(404);
    const self = await owner.api.post(`/v1/admin/projects/${projectId}/adjustments`, {
      amount: '1000.00',
      reason: 'mine',
    });
    expect(self.status).toBe(403);
    expect((await balance(projectId)).balance).toBe('0.00');
  });
});

describe('what compute asks of billing', () => {
  it('refuses a VM the balance cannot pay one hour of, counting its public address', async () => {
    const projectId = await project();
    const vm = { hourlyPriceMicroNgwee: 22_320_000, publicIp: true };
    await expect(t.services.funds.assertCanAfford(projectId, vm)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      status: 402,
      message: expect.stringMatching(/0\.2932 ZMW an hour.*balance is 0\.00 ZMW/),
    });
    await adjust(projectId, '0.29');
    await expect(t.services.funds.assertCanAfford(projectId, vm)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    await adjust(projectId, '0.01');
    await t.services.funds.assertCanAfford(projectId, vm);
  });
});

/** Records what the policy asked compute to do. */
class RecordingSuspension implements ProjectSuspension {
  constructor(private readonly only: string) {}
  calls: string[] = [];
  async suspendProject(projectId: string) {
    if (projectId === this.only) this.calls.push(`suspend ${projectId}`);
    return 1;
  }
  async liftSuspension(projectId: string, opts: { restart: boolean }) {
    if (projectId === this.only) this.calls.push(`lift ${projectId} restart=${opts.restart}`);
    return 1;
  }
}

describe('the zero-balance policy', () => {
  it('announces 72, 24 and 1 hours left once each, re-armed when a top-up raises the hours', async () => {
    const projectId = await project();
    // Other projects of this file may be at zero too: only this one's calls are kept.
    const suspension = new RecordingSuspension(projectId);
    const policy = new BillingPolicy(
      t.database.db,
      suspension,
      t.config.billing,
      t.clock,
      pino({ level: 'silent' }),
    );
    // K1 an hour (a size of 100 ngwee); 80 hours' worth.
    const kwachaAnHour = await size(t.database.db, t.clock.now(), 100_000_000, 1_000_000);
    const vmId = await vmRow(t.database.db, c, {
      projectId,
      sizeId: kwachaAnHour,
      createdAt: t.clock.now(),
    });
    // Money moves through the ledger directly here, so that only this policy (and its
    // recording suspension) reacts; an administrator's adjustment would apply the app's own.
    await credit(t, projectId, 8000);
    const events = async () =>
      (await owner.api.get(`/v1/billing/events?project_id=${projectId}&per_page=100`)).body.data
        .map((e: { type: string; thresholdHours: number | null }) =>
          e.type === 'low_balance' ? `low ${e.thresholdHours}` : e.type,
        )
        .reverse();

    const spend = async (ngwee: number) => {
      await credit(t, projectId, -ngwee);
      await policy.enforce();
    };
    await policy.enforce();
    expect(await events()).toEqual([]);
    await spend(1000); // 70 h left
    await spend(100); // 69 h: nothing new
    expect(await events()).toEqual(['low 72']);
    await spend(5000); // 19 h
    expect(await events()).toEqual(['low 72', 'low 24']);
    await credit(t, projectId, 4000);
    await policy.enforce(); // 59 h: 24 re-armed, 72 still crossed
    await spend(4000); // 19 h again
    expect(await events()).toEqual(['low 72', 'low 24', 'low 24']);
    await spend(1850); // 0.50 left: 0 h
    expect(await events()).toEqual(['low 72', 'low 24', 'low 24', 'low 1']);
    expect(suspension.calls).toEqual([]);

    // Zero: the grace period starts; after 24 h the project is suspended.
    await spend(50);
    expect((await events()).at(-1)).toBe('grace_started');
    await expect(t.services.funds.assertMayStart(projectId)).resolves.toBeUndefined();
    t.clock.advance(23 * HOUR);
    await policy.enforce();
    expect(suspension.calls).toEqual([]);
    t.clock.advance(HOUR);
    await policy.enforce();
    expect(suspension.calls).toEqual([`suspend ${projectId}`]);
    await signInAgain(); // a day has passed: the sessions have expired
    expect((await events()).at(-1)).toBe('suspended');
    await expect(t.services.funds.assertMayStart(projectId)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: expect.stringMatching(/suspended/),
    });

    // A top-up above zero lifts it; the VMs stay off (restart is off by default).
    await credit(t, projectId, 1000);
    await policy.enforce();
    expect(suspension.calls).toEqual([`suspend ${projectId}`, `lift ${projectId} restart=false`]);
    expect((await events()).at(-1)).toBe('suspension_lifted');
    await t.services.funds.assertMayStart(projectId);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('goes on with the other projects when suspending one fails, and retries it next time', async () => {
    const failing = await project();
    const fine = await project();
    for (const p of [failing, fine]) {
      await vmRow(t.database.db, c, { projectId: p, sizeId: small, createdAt: t.clock.now() });
      await credit(t, p, -100);
    }
    let down = true;
    const calls: string[] = [];
    const suspension: ProjectSuspension = {
      async suspendProject(projectId) {
        if (projectId === failing && down) throw new Error('compute is down');
        calls.push(projectId);
        return 1;
      },
      async liftSuspension() {
        return 0;
      },
    };
    const policy = new BillingPolicy(
      t.database.db,
      suspension,
      { ...t.config.billing, graceMs: 0 },
      t.clock,
      pino({ level: 'silent' }),
    );
    const suspendedAt = async (p: string) =>
      (
        await t.database.db
          .selectFrom('project_billing')
          .select('suspended_at')
          .where('project_id', '=', p)
          .executeTakeFirst()
      )?.suspended_at ?? null;
    await policy.enforce();
    expect(calls).toContain(fine);
    expect(await suspendedAt(fine)).not.toBeNull();
    expect(await suspendedAt(failing)).toBeNull();
    down = false;
    await policy.enforce();
    expect(calls).toContain(failing);
    expect(await suspendedAt(failing)).not.toBeNull();
  });
});

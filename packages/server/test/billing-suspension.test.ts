import { afterAll, describe, expect, it } from 'vitest';
import type { ApiClient } from './support/client.js';
import { signUp } from './support/client.js';
import { ADMIN_SETTINGS, HOUR, signInAdmin } from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { actionEnded, seedCatalog, sshPublicKey, vmStatus, waitFor } from './support/vms.js';

/**
 * The zero-balance policy end to end: the real app, VMs on the simulator, the meter and the
 * policy run as the billing loop runs them, the clock moved by hand.
 */

const key = sshPublicKey();

async function setUp(settings: Record<string, string> = {}) {
  const t = await startTestApp({
    SWIFTCLOUD_SIMULATOR_DELAYS: 'zero',
    ...ADMIN_SETTINGS,
    ...settings,
  });
  await seedCatalog(t);
  const user = await signUp(t.api, 'Runs out');
  const projectId: string = (await user.api.post('/v1/projects', { name: 'Shop' })).body.data.id;
  return { t, user, projectId };
}

/** The billing loop's one tick. */
async function tick(t: TestApp): Promise<void> {
  await t.services.meter.run();
  await t.services.billingPolicy.enforce();
}

/** Sessions do not outlive a day of the manual clock: a fresh one for each step. */
async function freshOwner(t: TestApp, email: string, password: string): Promise<ApiClient> {
  const login = await t.api.post('/v1/auth/login', { email, password });
  return t.api.as(login.body.data.token);
}

const createVm = (api: ApiClient, projectId: string, name: string) =>
  api.post('/v1/vms', {
    project_id: projectId,
    name,
    template: 'ubuntu-24.04',
    size: 'small',
    ssh_key: key,
    public_ip: true,
  });

describe('running out of money, with VMs on the simulator', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('refuses, runs, warns, suspends after the grace period, refuses to start, and lifts on a top-up', async () => {
    const s = await setUp();
    t = s.t;
    const { user, projectId } = s;
    let owner = user.api;

    // No money: no VM.
    const refused = await createVm(owner, projectId, 'web');
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(refused.body.error.message).toMatch(/0\.2932 ZMW an hour/);

    // K1.00 pays three hours of a small VM with a public address (K0.2932 an hour).
    let admin = await signInAdmin(t);
    const credit = await admin.post(`/v1/admin/projects/${projectId}/adjustments`, {
      amount: '1.00',
      reason: 'Trial',
    });
    expect(credit.status).toBe(201);
    const created = await createVm(owner, projectId, 'web');
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const vmId: string = created.body.data.id;
    await vmStatus(owner, vmId, 'running');
    const balance = async () =>
      (await owner.get(`/v1/billing/balance?project_id=${projectId}`)).body.data;
    expect(await balance()).toEqual({
      balance: '1.00',
      currency: 'ZMW',
      hourlyBurnRate: '0.2932',
      hoursRemaining: 3,
    });

    await tick(t); // the first hour: 22 + 7 ngwee
    expect((await balance()).balance).toBe('0.71');
    t.clock.advance(3 * HOUR);
    await tick(t); // three more hours: 1.00 − 1.17 < 0
    owner = await freshOwner(t, user.email, user.password);
    const after = await balance();
    expect(after.hoursRemaining).toBe(0);
    expect(after.balance.startsWith('-')).toBe(true);

    const events = async () =>
      (await owner.get(`/v1/billing/events?project_id=${projectId}&per_page=100`)).body.data
        .map((e: { type: string; thresholdHours: number | null }) =>
          e.type === 'low_balance' ? `low ${e.thresholdHours}` : e.type,
        )
        .reverse();
    expect(await events()).toEqual(['low 72', 'low 24', 'low 1', 'grace_started']);
    expect((await owner.get(`/v1/vms/${vmId}`)).body.data.status).toBe('running');

    // Still within the grace period: the VM runs on.
    t.clock.advance(23 * HOUR);
    await tick(t);
    owner = await freshOwner(t, user.email, user.password);
    expect((await owner.get(`/v1/vms/${vmId}`)).body.data.status).toBe('running');

    // The grace period is over: suspended and powered off, and it may not start.
    t.clock.advance(HOUR);
    await tick(t);
    owner = await freshOwner(t, user.email, user.password);
    expect((await events()).at(-1)).toBe('suspended');
    const suspended = await vmStatus(owner, vmId, 'suspended');
    expect(suspended.status).toBe('suspended');
    await waitFor(
      () => owner.get(`/v1/vms/${vmId}/actions`),
      (r) =>
        r.body.data.some(
          (a: { type: string; status: string }) => a.type === 'suspend' && a.status === 'succeeded',
        ),
      { what: 'the suspend action to succeed' },
    );
    expect((await owner.get(`/v1/vms/${vmId}`)).body.data.powerState).toBe('stopped');
    const start = await owner.post(`/v1/vms/${vmId}/power`, { action: 'start' });
    expect(start.status).toBe(402);
    expect(start.body.error.code).toBe('INSUFFICIENT_FUNDS');
    const another = await createVm(owner, projectId, 'web-2');
    expect(another.status).toBe(402);
    // Nothing is deleted for lack of money.
    t.clock.advance(7 * 24 * HOUR);
    await tick(t);
    owner = await freshOwner(t, user.email, user.password);
    expect((await owner.get(`/v1/vms/${vmId}`)).body.data.status).toBe('suspended');

    // A coupon brings the balance above zero: the suspension is lifted, the VM stays off.
    admin = await signInAdmin(t);
    expect(
      (await admin.post('/v1/admin/coupons', { code: 'COMEBACK', amount: '200.00' })).status,
    ).toBe(201);
    const topup = await owner.post('/v1/billing/topup', {
      project_id: projectId,
      coupon_code: 'comeback',
    });
    expect(topup.status, JSON.stringify(topup.body)).toBe(201);
    expect(Number(topup.body.data.balance.balance)).toBeGreaterThan(0);
    const lifted = await vmStatus(owner, vmId, 'stopped');
    expect(lifted.powerState).toBe('stopped');
    expect((await events()).at(-1)).toBe('suspension_lifted');
    const restart = await owner.post(`/v1/vms/${vmId}/power`, { action: 'start' });
    expect(restart.status, JSON.stringify(restart.body)).toBe(202);
    await actionEnded(owner, restart.body.data.id);
    expect((await vmStatus(owner, vmId, 'running')).powerState).toBe('running');
  });
});

describe('restart on top-up, when the operator turns it on', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('starts the suspended VMs again when a top-up lifts the suspension', async () => {
    const s = await setUp({
      SWIFTCLOUD_BILLING_RESTART_ON_TOPUP: 'true',
      SWIFTCLOUD_BILLING_GRACE_HOURS: '0',
    });
    t = s.t;
    let admin = await signInAdmin(t);
    await admin.post(`/v1/admin/projects/${s.projectId}/adjustments`, {
      amount: '0.30',
      reason: 'One hour',
    });
    const created = await createVm(s.user.api, s.projectId, 'api');
    expect(created.status).toBe(202);
    const vmId: string = created.body.data.id;
    await vmStatus(s.user.api, vmId, 'running');
    t.clock.advance(2 * HOUR);
    await tick(t); // below zero, no grace: suspended at once
    let owner = await freshOwner(t, s.user.email, s.user.password);
    await vmStatus(owner, vmId, 'suspended');
    admin = await signInAdmin(t);
    await admin.post(`/v1/admin/projects/${s.projectId}/adjustments`, {
      amount: '10.00',
      reason: 'Paid by bank transfer',
    });
    owner = await freshOwner(t, s.user.email, s.user.password);
    const back = await vmStatus(owner, vmId, 'running');
    expect(back.powerState).toBe('running');
  });
});

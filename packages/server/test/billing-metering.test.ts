import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJournal } from '../src/billing/journal-check.js';
import { Meter } from '../src/billing/meter.js';
import { signUp } from './support/client.js';
import {
  HOUR,
  advanceTo,
  balanceOf,
  catalog,
  chargesOf,
  deleteVmRow,
  projectRow,
  size,
  vmRow,
  type Catalog,
} from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let c: Catalog;

beforeAll(async () => {
  // A public IPv4 address at 1.5 ngwee an hour: the half ngwee carries from hour to hour.
  t = await startTestApp({ SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE: '0.015' });
  c = await catalog(t.database.db, t.clock.now());
});
afterAll(() => t.close());

const at = (iso: string) => new Date(iso);
const amounts = (rows: { amount_ngwee: number }[]) => rows.map((r) => r.amount_ngwee);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function newVm(opts: { hourly: number; cap: number; publicIp?: boolean }) {
  const db = t.database.db;
  const projectId = await projectRow(db, t.clock.now());
  const sizeId = await size(db, t.clock.now(), opts.hourly, opts.cap);
  const vmId = await vmRow(db, c, {
    projectId,
    sizeId,
    createdAt: t.clock.now(),
    publicIp: opts.publicIp ?? false,
  });
  return { projectId, sizeId, vmId };
}

describe('hourly metering', () => {
  it('charges each started UTC hour across a day, month and year boundary, restarting the month at 1', async () => {
    advanceTo(t, at('2026-12-31T22:30:00Z'));
    // 22.5 ngwee an hour: 22, 23, 22, 23 ... within a month, never drifting.
    const { projectId, vmId } = await newVm({ hourly: 22_500_000, cap: 1_000_000, publicIp: true });
    await t.services.meter.run();
    advanceTo(t, at('2027-01-01T01:10:00Z'));
    await t.services.meter.run();

    const charges = await chargesOf(t.database.db, vmId);
    const vm = charges.filter((r) => r.resource_type === 'vm');
    const ip = charges.filter((r) => r.resource_type === 'public_ip');
    expect(vm.map((r) => r.hour.toISOString())).toEqual([
      '2026-12-31T22:00:00.000Z',
      '2026-12-31T23:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
      '2027-01-01T01:00:00.000Z',
    ]);
    expect(vm.map((r) => r.month_hour)).toEqual([1, 2, 1, 2]);
    expect(amounts(vm)).toEqual([22, 23, 22, 23]);
    expect(amounts(ip)).toEqual([1, 2, 1, 2]);
    expect(await balanceOf(t.database.db, projectId)).toBe(-(90 + 6));
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('answers the charges by resource and UTC day on GET /v1/billing/usage', async () => {
    const projectId = await projectRow(t.database.db, t.clock.now());
    const sizeId = await size(t.database.db, t.clock.now(), 22_500_000, 1_000_000);
    const vmId = await vmRow(t.database.db, c, {
      projectId,
      sizeId,
      createdAt: t.clock.now(),
      publicIp: true,
      name: 'web-1',
    });
    // 01:10 on 1 January; runs at 02:10 and 03:10 charge the hours 01, 02 and 03.
    t.clock.advance(HOUR);
    await t.services.meter.run();
    t.clock.advance(HOUR);
    await t.services.meter.run();
    const owner = await signUp(t.api, 'Usage reader');
    await t.database.db
      .insertInto('project_members')
      .values({
        project_id: projectId,
        user_id: owner.id,
        role: 'owner',
        created_at: t.clock.now(),
      })
      .execute();
    const res = await owner.api.get(
      `/v1/billing/usage?project_id=${projectId}&from=2027-01-01&to=2027-01-01`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual([
      {
        date: '2027-01-01',
        resourceType: 'vm',
        resourceId: vmId,
        resourceName: 'web-1',
        hours: 3,
        amount: '0.67',
        currency: 'ZMW',
      },
      {
        date: '2027-01-01',
        resourceType: 'public_ip',
        resourceId: vmId,
        resourceName: 'web-1',
        hours: 3,
        amount: '0.04',
        currency: 'ZMW',
      },
    ]);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 2 });
    const before = await owner.api.get(
      `/v1/billing/usage?project_id=${projectId}&from=2026-12-01&to=2026-12-31`,
    );
    expect(before.body.data).toEqual([]);
    const backwards = await owner.api.get(
      `/v1/billing/usage?project_id=${projectId}&from=2027-01-02&to=2027-01-01`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].field).toBe('from');
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('charges a whole month exactly floor(hours × price), and no more than the cap', async () => {
    advanceTo(t, at('2027-01-31T23:30:00Z'));
    // The small size: K0.2232 an hour, capped at K150 a month.
    const { vmId } = await newVm({ hourly: 22_320_000, cap: 15_000 });
    advanceTo(t, at('2027-04-01T00:30:00Z'));
    await t.services.meter.run();
    const charges = await chargesOf(t.database.db, vmId);
    const inMonth = (m: string) =>
      charges.filter((r) => r.hour.toISOString().startsWith(m)).map((r) => r.amount_ngwee);
    const feb = inMonth('2027-02');
    const mar = inMonth('2027-03');
    expect(feb).toHaveLength(672);
    expect(sum(feb)).toBe(Math.floor((672 * 22_320_000) / 1_000_000)); // 14 999: under the cap
    expect(mar).toHaveLength(744);
    expect(sum(mar)).toBe(15_000); // the cap
    expect(mar.slice(-50).every((a) => a === 0)).toBe(true);
    // Every hour is 22 or 23 ngwee until the cap: the fraction carries, it is never lost.
    expect(feb.every((a) => a === 22 || a === 23)).toBe(true);
    expect(inMonth('2027-04')).toEqual([22]);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('stops at the monthly cap within an hour and starts again the next month', async () => {
    advanceTo(t, at('2027-04-30T20:00:00Z'));
    // K10 an hour, capped at K25 a month.
    const { vmId } = await newVm({ hourly: 1_000_000_000, cap: 2_500 });
    advanceTo(t, at('2027-05-01T02:05:00Z'));
    await t.services.meter.run();
    expect(amounts(await chargesOf(t.database.db, vmId))).toEqual([
      1000, 1000, 500, 0, 1000, 1000, 500,
    ]);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('catches up every hour missed while no meter ran, each exactly once, and a rerun charges nothing', async () => {
    const { projectId, vmId } = await newVm({ hourly: 10_000_000, cap: 1_000_000 });
    await t.services.meter.run();
    t.clock.advance(30 * HOUR);
    const caughtUp = await t.services.meter.run();
    expect(caughtUp.hours).toBeGreaterThanOrEqual(31);
    const rerun = await t.services.meter.run();
    expect(rerun.charges).toBe(0);
    const hours = (await chargesOf(t.database.db, vmId)).map((r) => r.hour.getTime());
    expect(hours).toHaveLength(31);
    for (let i = 1; i < hours.length; i++) expect(hours[i]! - hours[i - 1]!).toBe(HOUR);
    expect(await balanceOf(t.database.db, projectId)).toBe(-31 * 10);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('charges the started hour a VM lived in, including one made after that hour was metered', async () => {
    advanceTo(t, new Date(Math.ceil(t.clock.now().getTime() / HOUR) * HOUR + 5 * 60_000));
    await t.services.meter.run(); // hh:05: this hour is metered
    t.clock.advance(20 * 60_000);
    const late = await newVm({ hourly: 10_000_000, cap: 1_000_000 }); // made at hh:25
    t.clock.advance(10 * 60_000);
    await deleteVmRow(t.database.db, late.vmId, t.clock.now()); // gone at hh:35
    t.clock.advance(HOUR);
    await t.services.meter.run();
    expect(amounts(await chargesOf(t.database.db, late.vmId))).toEqual([10]);

    // Deleted exactly on the hour: that hour has not started for it.
    const onTheHour = await newVm({ hourly: 10_000_000, cap: 1_000_000 });
    advanceTo(t, new Date(Math.ceil(t.clock.now().getTime() / HOUR) * HOUR));
    await deleteVmRow(t.database.db, onTheHour.vmId, t.clock.now());
    t.clock.advance(2 * HOUR);
    await t.services.meter.run();
    expect(await chargesOf(t.database.db, onTheHour.vmId)).toHaveLength(1);
  });

  it('charges a VM whose creation committed only after a run that began later than it', async () => {
    const runAt = t.clock.now();
    await t.services.meter.run();
    // Written after the run, stamped a second before it: the run could not have seen it.
    const { vmId } = await newVm({ hourly: 10_000_000, cap: 1_000_000 });
    await t.database.db
      .updateTable('vms')
      .set({ created_at: new Date(runAt.getTime() - 1000) })
      .where('id', '=', vmId)
      .execute();
    t.clock.advance(HOUR);
    await t.services.meter.run();
    const first = Math.floor((runAt.getTime() - 1000) / HOUR) * HOUR;
    const last = Math.floor(t.clock.now().getTime() / HOUR) * HOUR;
    const hours = (await chargesOf(t.database.db, vmId)).map((r) => r.hour.getTime());
    expect(hours[0]).toBe(first);
    expect(hours).toHaveLength((last - first) / HOUR + 1);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it("keeps a month's price: a size's new price applies to running VMs from the next month", async () => {
    const now = t.clock.now();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    advanceTo(t, new Date(nextMonth.getTime() - 2.5 * HOUR)); // 21:30 on the month's last day
    const { vmId, sizeId } = await newVm({ hourly: 10_000_000, cap: 1_000_000 });
    await t.services.meter.run();
    await t.database.db
      .updateTable('sizes')
      .set({ hourly_price_micro_ngwee: 30_000_000 })
      .where('id', '=', sizeId)
      .execute();
    advanceTo(t, new Date(nextMonth.getTime() + 1.5 * HOUR)); // 01:30 on the 1st
    await t.services.meter.run();
    expect(amounts(await chargesOf(t.database.db, vmId))).toEqual([10, 10, 10, 30, 30]);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('leaves nothing of an hour when the process dies between the charge and the commit', async () => {
    const { projectId, vmId } = await newVm({ hourly: 10_000_000, cap: 1_000_000 });
    t.clock.advance(3 * HOUR);
    const crashing = new Meter(
      t.database.db.withPlugin(new CrashAfter(/insert into usage_charges/i)),
      t.clock,
      t.config.billing,
    );
    const entriesBefore = await countEntries();
    await expect(crashing.run()).rejects.toThrow(/injected crash/);
    expect(await chargesOf(t.database.db, vmId)).toEqual([]);
    expect(await balanceOf(t.database.db, projectId)).toBe(0);
    expect(await countEntries()).toBe(entriesBefore);
    expect(await checkJournal(t.database.db)).toEqual([]);

    await t.services.meter.run();
    expect(amounts(await chargesOf(t.database.db, vmId))).toEqual([10, 10, 10, 10]);
    expect(await balanceOf(t.database.db, projectId)).toBe(-40);
    await deleteVmRow(t.database.db, vmId, t.clock.now());
  });

  it('never double-charges when two meters run at once', async () => {
    const vms = await Promise.all(
      Array.from({ length: 5 }, () => newVm({ hourly: 7_000_000, cap: 1_000_000, publicIp: true })),
    );
    t.clock.advance(12 * HOUR);
    const meters = Array.from(
      { length: 3 },
      () => new Meter(t.database.db, t.clock, t.config.billing),
    );
    const runs = await Promise.all([...meters, t.services.meter].map((m) => m.run()));
    const made = sum(runs.map((r) => r.charges));
    expect(made).toBe(5 * 13 * 2);
    for (const { vmId, projectId } of vms) {
      const rows = await chargesOf(t.database.db, vmId);
      expect(rows).toHaveLength(13 * 2);
      expect(await balanceOf(t.database.db, projectId)).toBe(-sum(amounts(rows)));
      await deleteVmRow(t.database.db, vmId, t.clock.now());
    }
    expect(await checkJournal(t.database.db)).toEqual([]);
  });
});

async function countEntries(): Promise<number> {
  const row = await t.database.db
    .selectFrom('journal_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Throws after a matching statement has run, inside its transaction: a crash before commit. */
class CrashAfter implements KyselyPlugin {
  private readonly marked = new Set<QueryId>();
  constructor(private readonly pattern: RegExp) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as RootOperationNode & { sqlFragments?: readonly string[] };
    if (node.kind === 'RawNode' && this.pattern.test((node.sqlFragments ?? []).join('?')))
      this.marked.add(args.queryId);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.marked.delete(args.queryId)) throw new Error('injected crash before commit');
    return args.result;
  }
}

/**
 * Benchmark: one hourly metering run over 100,000 VMs in 10,000 projects, and coupon
 * redemptions per second under contention, on PGlite and (when a server is named) on
 * PostgreSQL. The data is seeded with bulk SQL, not through the API; the meter, the policy,
 * the coupon redemption and the journal check are the server's own code.
 *
 *   npm run bench:billing                                   # PGlite only
 *   SWIFTCLOUD_PG_PORT=55441 scripts/with-postgres.sh npm run bench:billing   # both
 *
 * BENCH_PROJECTS (10000), BENCH_VMS_PER_PROJECT (10), BENCH_REDEMPTIONS (2000) and
 * BENCH_REDEEM_CONCURRENCY (32) tune it; BENCH_PGLITE=0 skips PGlite. Writes bench/results/billing.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import { CouponsRepo } from '../packages/server/src/billing/coupons.repo.js';
import { checkJournal } from '../packages/server/src/billing/journal-check.js';
import { Ledger } from '../packages/server/src/billing/ledger.js';
import { Meter } from '../packages/server/src/billing/meter.js';
import { BillingPolicy } from '../packages/server/src/billing/policy.js';
import { seedFreshInstall } from '../packages/server/src/compute/catalog/seed.js';
import { loadConfig } from '../packages/server/src/config.js';
import { openDatabase, type DatabaseHandle, type Db } from '../packages/server/src/db/database.js';
import { migrateToLatest } from '../packages/server/src/db/migrate.js';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 10_000);
const VMS_PER_PROJECT = Number(process.env.BENCH_VMS_PER_PROJECT ?? 10);
const REDEMPTIONS = Number(process.env.BENCH_REDEMPTIONS ?? 2_000);
const REDEEM_CONCURRENCY = Number(process.env.BENCH_REDEEM_CONCURRENCY ?? 32);
const POSTGRES_URL = process.env.SWIFTCLOUD_TEST_DATABASE_URL;
const HOUR = 3_600_000;

const settings = loadConfig({ SWIFTCLOUD_DATA_DIR: '/tmp/unused' }).billing;

class BenchClock {
  constructor(public t: number) {}
  now() {
    return new Date(this.t);
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - start), value };
}

/** 10,000 projects with K10,000 each (through journal entries), 100,000 VMs, a third with IPv4. */
async function seed(db: Db, createdAt: Date): Promise<string> {
  await seedFreshInstall(db, { now: () => createdAt });
  const user = await db
    .insertInto('users')
    .values({
      email: 'bench@example.co.zm',
      name: 'Bench',
      password_hash: 'x',
      created_at: createdAt,
      updated_at: createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`
    insert into projects (id, name, description, balance_ngwee, created_at, updated_at)
    select gen_random_uuid(), 'bench-' || g, '', 0, ${createdAt}, ${createdAt}
    from generate_series(1, ${PROJECTS}) g
  `.execute(db);
  await sql`
    insert into project_members (project_id, user_id, role, created_at)
    select id, ${user.id}, 'owner', ${createdAt} from projects
  `.execute(db);
  // K10,000 each (some 800 hours of their VMs), as entries of the journal, so the check at the end covers the seed too.
  await sql`
    with w as (
      insert into ledger_accounts (kind, project_id) select 'wallet', id from projects
      returning id, project_id
    ), e as (
      insert into journal_entries (id, idempotency_key, kind, project_id, memo, created_at)
      select gen_random_uuid(), 'bench-seed:' || project_id, 'adjustment', project_id,
        'bench seed', ${createdAt}
      from w returning id, project_id
    )
    insert into journal_postings (entry_id, account_id, amount_ngwee)
    select e.id, w.id, 1000000 from e join w using (project_id)
    union all
    select e.id, (select id from ledger_accounts where kind = 'adjustments'), -1000000 from e
  `.execute(db);
  await sql`update projects set balance_ngwee = 1000000`.execute(db);
  await sql`
    with p as (select id, row_number() over (order by id) as n from projects),
    s as (select array_agg(id order by hourly_price_micro_ngwee) as ids from sizes),
    sz as (select id, vcpus, memory_mib, disk_gib from sizes),
    pick as (
      select p.id as project_id, i, (select ids[1 + (i % array_length(ids, 1))] from s) as size_id
      from p, generate_series(1, ${VMS_PER_PROJECT}) i
    ),
    t as (select id from templates order by slug limit 1),
    nd as (select id from nodes limit 1)
    insert into vms (project_id, name, status, power_state, template_id, size_id, vcpus,
      memory_mib, disk_gib, node_id, public_ip, ssh_key, created_at, updated_at)
    select pick.project_id, 'vm-' || pick.i, 'running', 'running', (select id from t),
      pick.size_id, sz.vcpus, sz.memory_mib, sz.disk_gib, (select id from nd),
      (pick.i % 3 = 0), 'ssh-ed25519 AAAA bench', ${createdAt}, ${createdAt}
    from pick join sz on sz.id = pick.size_id
  `.execute(db);
  await sql`analyze`.execute(db);
  return user.id;
}

interface Result {
  database: string;
  vms: number;
  projects: number;
  seedMs: number;
  catchUpRun: { ms: number; hours: number; charges: number };
  hourlyRun: { ms: number; hours: number; charges: number; ngwee: number };
  rerunMs: number;
  policyMs: number;
  redemptions: { total: number; concurrency: number; ms: number; perSecond: number };
  oneUse: { attempts: number; successes: number; ms: number; perSecond: number };
  journalCheckMs: number;
  journalDifferences: number;
}

async function runOn(name: string, handle: DatabaseHandle): Promise<Result> {
  const db = handle.db;
  await migrateToLatest(db);
  // Mid-month, half past the hour: the VMs were made three hours ago.
  const start = Date.UTC(2027, 5, 15, 12, 30);
  const clock = new BenchClock(start);
  const seeded = await timed(() => seed(db, new Date(start - 3 * HOUR)));
  const userId = seeded.value;
  const meter = new Meter(db, clock, settings);
  const policy = new BillingPolicy(
    db,
    { suspendProject: async () => 0, liftSuspension: async () => 0 },
    settings,
    clock,
    pino({ level: 'silent' }),
  );

  // The first run catches up the VMs' first hours; then an hour passes.
  const catchUp = await timed(() => meter.run());
  clock.t += HOUR;
  const hourly = await timed(() => meter.run());
  const rerun = await timed(() => meter.run());
  if (rerun.value.charges !== 0) throw new Error('a rerun charged again');
  const enforced = await timed(() => policy.enforce());

  // Redemptions of one unlimited coupon by distinct projects, REDEEM_CONCURRENCY at once.
  const coupons = new CouponsRepo(db, new Ledger(db));
  const now = clock.now();
  const insertCoupon = (code: string, max: number | null) =>
    db
      .insertInto('coupons')
      .values({
        code,
        amount_ngwee: 500,
        max_redemptions: max,
        created_at: now,
        updated_at: now,
      })
      .execute();
  await insertCoupon('BENCHWIDE', null);
  await insertCoupon('BENCHONCE', 1);
  const projectIds = (
    await db.selectFrom('projects').select('id').orderBy('id').limit(REDEMPTIONS).execute()
  ).map((r) => r.id);
  const redeemAll = async (code: string, ids: string[]) => {
    let next = 0;
    let ok = 0;
    const worker = async () => {
      while (next < ids.length) {
        const projectId = ids[next++]!;
        const r = await coupons.redeem({ code, projectId, userId, now });
        if (r.outcome === 'redeemed') ok++;
      }
    };
    await Promise.all(Array.from({ length: REDEEM_CONCURRENCY }, worker));
    return ok;
  };
  const wide = await timed(() => redeemAll('BENCHWIDE', projectIds));
  if (wide.value !== projectIds.length) throw new Error(`only ${wide.value} redemptions`);
  const onceIds = projectIds.slice(0, Math.min(500, projectIds.length));
  const once = await timed(() => redeemAll('BENCHONCE', onceIds));
  if (once.value !== 1) throw new Error(`${once.value} redemptions of a one-use coupon`);

  const check = await timed(() => checkJournal(db));
  for (const d of check.value) console.error(d.message);

  return {
    database: name,
    vms: PROJECTS * VMS_PER_PROJECT,
    projects: PROJECTS,
    seedMs: seeded.ms,
    catchUpRun: {
      ms: catchUp.ms,
      hours: catchUp.value.hours,
      charges: catchUp.value.charges,
    },
    hourlyRun: {
      ms: hourly.ms,
      hours: hourly.value.hours,
      charges: hourly.value.charges,
      ngwee: hourly.value.ngwee,
    },
    rerunMs: rerun.ms,
    policyMs: enforced.ms,
    redemptions: {
      total: wide.value,
      concurrency: REDEEM_CONCURRENCY,
      ms: wide.ms,
      perSecond: Math.round((wide.value / wide.ms) * 1000),
    },
    oneUse: {
      attempts: onceIds.length,
      successes: once.value,
      ms: once.ms,
      perSecond: Math.round((onceIds.length / once.ms) * 1000),
    },
    journalCheckMs: check.ms,
    journalDifferences: check.value.length,
  };
}

async function main(): Promise<void> {
  const results: Result[] = [];
  if (POSTGRES_URL) {
    const name = `swiftcloud_bench_${randomUUID().slice(0, 8)}`;
    const admin = await openDatabase({ kind: 'postgres', url: POSTGRES_URL, poolSize: 1 });
    await sql.raw(`create database ${name}`).execute(admin.db);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    const handle = await openDatabase({
      kind: 'postgres',
      url: url.toString(),
      poolSize: REDEEM_CONCURRENCY,
    });
    try {
      results.push(await runOn('postgresql', handle));
    } finally {
      await handle.close();
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    }
    console.log(JSON.stringify(results.at(-1)));
  }
  if (process.env.BENCH_PGLITE !== '0') {
    const pglite = await openDatabase({ kind: 'pglite' });
    try {
      results.push(await runOn('pglite', pglite));
    } finally {
      await pglite.close();
    }
    console.log(JSON.stringify(results.at(-1)));
  }

  console.table(
    results.map((r) => ({
      database: r.database,
      VMs: r.vms,
      'hourly run ms': r.hourlyRun.ms,
      charges: r.hourlyRun.charges,
      'catch-up ms': r.catchUpRun.ms,
      'catch-up hours': r.catchUpRun.hours,
      'rerun ms': r.rerunMs,
      'policy ms': r.policyMs,
      'redemptions/s': r.redemptions.perSecond,
      'one-use attempts/s': r.oneUse.perSecond,
      'journal check ms': r.journalCheckMs,
      differences: r.journalDifferences,
    })),
  );
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/billing.json', JSON.stringify(results, null, 2));
  if (results.some((r) => r.journalDifferences > 0)) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJournal } from '../src/billing/journal-check.js';
import { Ledger, UnbalancedEntry, type EntryInput } from '../src/billing/ledger.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { balanceOf, projectRow } from './support/billing-fixtures.js';
import { TEST_SERVER_URL } from './support/database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let ledger: Ledger;

beforeAll(async () => {
  t = await startTestApp();
  ledger = t.services.ledger;
});
afterAll(() => t.close());

/** What a test asks of the ledger, before it is made into an entry. */
type Op =
  | { kind: 'credit'; project: number; ngwee: number }
  | { kind: 'usage'; project: number; vm: number; ip: number }
  | { kind: 'transfer'; from: number; to: number; ngwee: number }
  | { kind: 'replay'; of: number }
  | { kind: 'reverse'; of: number };

const amount = fc.integer({ min: 1, max: 10_000_000 });
const project = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('credit' as const),
    project,
    ngwee: fc.integer({ min: -5_000_000, max: 10_000_000 }).filter((n) => n !== 0),
  }),
  fc
    .record({
      kind: fc.constant('usage' as const),
      project,
      vm: fc.nat(100_000),
      ip: fc.nat(1_000),
    })
    .filter((u) => u.vm + u.ip > 0),
  fc
    .record({ kind: fc.constant('transfer' as const), from: project, to: project, ngwee: amount })
    .filter((x) => x.from !== x.to),
  fc.record({ kind: fc.constant('replay' as const), of: fc.nat(50) }),
  fc.record({ kind: fc.constant('reverse' as const), of: fc.nat(50) }),
);

function entryFor(o: Op, projects: string[], at: Date): EntryInput | null {
  const key = `prop:${randomUUID()}`;
  switch (o.kind) {
    case 'credit':
      return {
        idempotencyKey: key,
        kind: 'adjustment',
        projectId: projects[o.project]!,
        at,
        lines: [
          { account: { wallet: projects[o.project]! }, amountNgwee: o.ngwee },
          { account: { platform: 'adjustments' }, amountNgwee: -o.ngwee },
        ],
      };
    case 'usage':
      // Usage-shaped (three lines), but not kind 'usage': those must match metered charges.
      return {
        idempotencyKey: key,
        kind: 'adjustment',
        projectId: projects[o.project]!,
        at,
        lines: [
          { account: { wallet: projects[o.project]! }, amountNgwee: -(o.vm + o.ip) },
          { account: { platform: 'compute_revenue' }, amountNgwee: o.vm },
          { account: { platform: 'ip_revenue' }, amountNgwee: o.ip },
        ],
      };
    case 'transfer':
      return {
        idempotencyKey: key,
        kind: 'adjustment',
        projectId: projects[o.from]!,
        at,
        lines: [
          { account: { wallet: projects[o.from]! }, amountNgwee: -o.ngwee },
          { account: { wallet: projects[o.to]! }, amountNgwee: o.ngwee },
        ],
      };
    default:
      return null;
  }
}

/** What each wallet should hold after an entry's lines. */
function apply(model: Map<string, number>, e: EntryInput, sign = 1): void {
  for (const l of e.lines)
    if ('wallet' in l.account)
      model.set(l.account.wallet, (model.get(l.account.wallet) ?? 0) + sign * l.amountNgwee);
}

async function postingsTotal(): Promise<number> {
  const { rows } = await sql<{ total: string }>`
    select coalesce(sum(amount_ngwee), 0)::text as total from journal_postings
  `.execute(t.database.db);
  return Number(rows[0]!.total);
}

describe('the journal, under any sequence of postings', () => {
  it('balances every entry, keeps cached balances equal to the journal, and replays change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const now = t.clock.now();
        const projects = await Promise.all([0, 1, 2].map(() => projectRow(t.database.db, now)));
        const model = new Map(projects.map((p) => [p, 0]));
        const posted: { input: EntryInput; id: string; reversed: boolean }[] = [];
        for (const o of ops) {
          if (o.kind === 'replay' || o.kind === 'reverse') {
            const target = posted[o.of % Math.max(posted.length, 1)];
            if (!target) continue;
            if (o.kind === 'replay') {
              const before = await Promise.all(projects.map((p) => balanceOf(t.database.db, p)));
              const again = await ledger.post(target.input);
              expect(again).toEqual({ entryId: target.id, posted: false });
              const after = await Promise.all(projects.map((p) => balanceOf(t.database.db, p)));
              expect(after).toEqual(before);
            } else {
              const r = await ledger.reverse(target.id, {
                memo: 'undo',
                actorUserId: null,
                at: now,
              });
              expect(r.posted).toBe(!target.reversed);
              if (!target.reversed) apply(model, target.input, -1);
              target.reversed = true;
            }
            continue;
          }
          const input = entryFor(o, projects, now)!;
          const r = await ledger.post(input);
          expect(r.posted).toBe(true);
          apply(model, input);
          posted.push({ input, id: r.entryId, reversed: false });
        }
        for (const p of projects) {
          expect(await balanceOf(t.database.db, p)).toBe(model.get(p));
          expect(await ledger.journalBalance(p)).toBe(model.get(p));
        }
        expect(await postingsTotal()).toBe(0);
        expect(await checkJournal(t.database.db)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses an entry whose lines do not sum to zero, and writes nothing of it', async () => {
    const p = await projectRow(t.database.db, t.clock.now());
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 5 })
          .filter((xs) => xs.reduce((a, b) => a + b, 0) !== 0),
        async (amounts) => {
          const key = `bad:${randomUUID()}`;
          await expect(
            ledger.post({
              idempotencyKey: key,
              kind: 'adjustment',
              projectId: p,
              at: t.clock.now(),
              lines: amounts.map((a, i) => ({
                account: i === 0 ? { wallet: p } : { platform: 'adjustments' },
                amountNgwee: a,
              })),
            }),
          ).rejects.toThrow(UnbalancedEntry);
          const entry = await t.database.db
            .selectFrom('journal_entries')
            .select('id')
            .where('idempotency_key', '=', key)
            .executeTakeFirst();
          expect(entry).toBeUndefined();
        },
      ),
      { numRuns: 30 },
    );
    expect(await balanceOf(t.database.db, p)).toBe(0);
  });

  it('is append-only: the database refuses to change or delete an entry or a posting', async () => {
    const p = await projectRow(t.database.db, t.clock.now());
    const { entryId } = await ledger.post({
      idempotencyKey: `fixed:${randomUUID()}`,
      kind: 'adjustment',
      projectId: p,
      at: t.clock.now(),
      lines: [
        { account: { wallet: p }, amountNgwee: 100 },
        { account: { platform: 'adjustments' }, amountNgwee: -100 },
      ],
    });
    await expect(
      t.database.db
        .updateTable('journal_postings')
        .set({ amount_ngwee: 1 })
        .where('entry_id', '=', entryId)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.database.db.deleteFrom('journal_entries').where('id', '=', entryId).execute(),
    ).rejects.toThrow(/append-only/);
    // A correction is a reversal, once.
    const undo = await ledger.reverse(entryId, {
      memo: 'mistake',
      actorUserId: null,
      at: t.clock.now(),
    });
    expect(undo.posted).toBe(true);
    expect(await balanceOf(t.database.db, p)).toBe(0);
    expect(
      (await ledger.reverse(entryId, { memo: 'again', actorUserId: null, at: t.clock.now() }))
        .posted,
    ).toBe(false);
    expect(await balanceOf(t.database.db, p)).toBe(0);
  });

  it('reports a cached balance that drifted from the journal', async () => {
    const p = await projectRow(t.database.db, t.clock.now());
    await t.database.db
      .updateTable('projects')
      .set({ balance_ngwee: 1234 })
      .where('id', '=', p)
      .execute();
    expect(await checkJournal(t.database.db)).toEqual([
      {
        kind: 'cached_balance',
        subject: p,
        message: `project ${p}: cached balance 1234 ngwee, journal 0 ngwee`,
      },
    ]);
    await t.database.db
      .updateTable('projects')
      .set({ balance_ngwee: 0 })
      .where('id', '=', p)
      .execute();
    expect(await checkJournal(t.database.db)).toEqual([]);
  });
});

describe('npm run billing:check', () => {
  it.skipIf(TEST_SERVER_URL !== undefined)(
    'exits 0 on a consistent journal and 1, naming the project, on a difference',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'swiftcloud-check-'));
      try {
        const handle = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
        await migrateToLatest(handle.db);
        const p = await projectRow(handle.db, new Date());
        await new Ledger(handle.db).post({
          idempotencyKey: 'cli:1',
          kind: 'adjustment',
          projectId: p,
          at: new Date(),
          lines: [
            { account: { wallet: p }, amountNgwee: 500 },
            { account: { platform: 'adjustments' }, amountNgwee: -500 },
          ],
        });
        await handle.close();
        const run = () =>
          spawnSync('npm', ['run', '--silent', 'billing:check'], {
            cwd: path.resolve('packages/server'),
            env: { ...process.env, SWIFTCLOUD_DATA_DIR: dir, DATABASE_URL: '' },
            encoding: 'utf8',
          });
        const ok = run();
        expect(ok.status, ok.stderr).toBe(0);
        expect(ok.stdout).toMatch(/1 entries, every one balanced/);

        const again = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
        await again.db
          .updateTable('projects')
          .set({ balance_ngwee: 400 })
          .where('id', '=', p)
          .execute();
        await again.close();
        const bad = run();
        expect(bad.status).toBe(1);
        expect(bad.stdout).toContain(`project ${p}: cached balance 400 ngwee, journal 500 ngwee`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

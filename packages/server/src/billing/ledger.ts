import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { JournalEntryKind, LedgerAccountKind } from '../db/schema.js';

export type PlatformAccount = Exclude<LedgerAccountKind, 'wallet'>;

/** An account of the journal: a project's wallet, or one of the platform's own accounts. */
export type AccountRef = { wallet: string } | { platform: PlatformAccount };

export interface PostingLine {
  account: AccountRef;
  /** Signed ngwee: positive adds to the account, negative takes from it. */
  amountNgwee: number;
}

export interface EntryInput {
  /** Unique per business event: posting the same key again changes nothing. */
  idempotencyKey: string;
  kind: JournalEntryKind;
  projectId: string;
  memo?: string;
  actorUserId?: string | null;
  reversesEntryId?: string | null;
  lines: PostingLine[];
  at: Date;
}

export interface PostedEntry {
  entryId: string;
  /** False when the idempotency key had been posted before (nothing changed). */
  posted: boolean;
}

export class UnbalancedEntry extends Error {
  override name = 'UnbalancedEntry';
}

/**
 * The double-entry journal. Every entry's postings sum to zero, and the project's cached
 * balance (`projects.balance_ngwee`) moves by the sum of its wallet's postings in the same
 * transaction. Entries are never changed: `reverse` undoes one with its mirror image.
 */
export class Ledger {
  private platformIds: Map<PlatformAccount, string> | undefined;

  constructor(private readonly db: Db) {}

  /** Posts an entry inside the caller's transaction (`tx`), or in one of its own. */
  async post(input: EntryInput, tx?: Db): Promise<PostedEntry> {
    if (!tx) return this.db.transaction().execute((t) => this.post(input, t));
    assertBalanced(input.lines);
    const inserted = await tx
      .insertInto('journal_entries')
      .values({
        idempotency_key: input.idempotencyKey,
        kind: input.kind,
        project_id: input.projectId,
        memo: input.memo ?? '',
        actor_user_id: input.actorUserId ?? null,
        reverses_entry_id: input.reversesEntryId ?? null,
        created_at: input.at,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await tx
        .selectFrom('journal_entries')
        .select('id')
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirstOrThrow();
      return { entryId: existing.id, posted: false };
    }
    const lines = input.lines.filter((l) => l.amountNgwee !== 0);
    const values = [];
    const walletMoves = new Map<string, number>();
    for (const line of lines) {
      values.push({
        entry_id: inserted.id,
        account_id: await this.accountId(line.account, tx),
        amount_ngwee: line.amountNgwee,
      });
      if ('wallet' in line.account) {
        const p = line.account.wallet;
        walletMoves.set(p, (walletMoves.get(p) ?? 0) + line.amountNgwee);
      }
    }
    if (values.length > 0) await tx.insertInto('journal_postings').values(values).execute();
    for (const [projectId, delta] of walletMoves) {
      if (delta === 0) continue;
      const r = await tx
        .updateTable('projects')
        .set({ balance_ngwee: sql`balance_ngwee + ${delta}` })
        .where('id', '=', projectId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        throw new Error(`no project ${projectId} for a wallet posting`);
    }
    return { entryId: inserted.id, posted: true };
  }

  /**
   * Undoes an entry by posting its mirror image (every line negated), at most once per
   * entry. Answers the reversing entry.
   */
  async reverse(
    entryId: string,
    opts: { memo: string; actorUserId: string | null; at: Date },
    tx?: Db,
  ): Promise<PostedEntry> {
    if (!tx) return this.db.transaction().execute((t) => this.reverse(entryId, opts, t));
    const entry = await tx
      .selectFrom('journal_entries')
      .select(['id', 'project_id', 'kind'])
      .where('id', '=', entryId)
      .executeTakeFirst();
    if (!entry) throw new Error(`no journal entry ${entryId}`);
    if (entry.kind === 'reversal') throw new Error('a reversal is not itself reversed');
    const postings = await tx
      .selectFrom('journal_postings as jp')
      .innerJoin('ledger_accounts as a', 'a.id', 'jp.account_id')
      .select(['a.kind', 'a.project_id', 'jp.amount_ngwee'])
      .where('jp.entry_id', '=', entryId)
      .execute();
    return this.post(
      {
        idempotencyKey: `reversal:${entryId}`,
        kind: 'reversal',
        projectId: entry.project_id,
        memo: opts.memo,
        actorUserId: opts.actorUserId,
        reversesEntryId: entryId,
        at: opts.at,
        lines: postings.map((p) => ({
          account:
            p.kind === 'wallet'
              ? { wallet: p.project_id! }
              : { platform: p.kind as PlatformAccount },
          amountNgwee: -p.amount_ngwee,
        })),
      },
      tx,
    );
  }

  /** The wallet's balance as the journal has it (the cached figure is `projects.balance_ngwee`). */
  async journalBalance(projectId: string, db: Db = this.db): Promise<number> {
    const row = await db
      .selectFrom('journal_postings as jp')
      .innerJoin('ledger_accounts as a', 'a.id', 'jp.account_id')
      .select(sql<string>`coalesce(sum(jp.amount_ngwee), 0)::text`.as('total'))
      .where('a.project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /** The account's id, making a project's wallet on first use. */
  async accountId(ref: AccountRef, tx: Db): Promise<string> {
    if ('platform' in ref) {
      if (!this.platformIds) {
        const rows = await tx
          .selectFrom('ledger_accounts')
          .select(['id', 'kind'])
          .where('project_id', 'is', null)
          .execute();
        this.platformIds = new Map(rows.map((r) => [r.kind as PlatformAccount, r.id]));
      }
      const id = this.platformIds.get(ref.platform);
      if (!id) throw new Error(`no platform account ${ref.platform}`);
      return id;
    }
    await tx
      .insertInto('ledger_accounts')
      .values({ kind: 'wallet', project_id: ref.wallet })
      .onConflict((oc) => oc.column('project_id').doNothing())
      .execute();
    const row = await tx
      .selectFrom('ledger_accounts')
      .select('id')
      .where('project_id', '=', ref.wallet)
      .executeTakeFirstOrThrow();
    return row.id;
  }
}

function assertBalanced(lines: PostingLine[]): void {
  let sum = 0;
  for (const l of lines) {
    if (!Number.isSafeInteger(l.amountNgwee))
      throw new UnbalancedEntry(`not a whole number of ngwee: ${l.amountNgwee}`);
    sum += l.amountNgwee;
  }
  if (sum !== 0) throw new UnbalancedEntry(`the entry's postings sum to ${sum}, not 0`);
  if (!lines.some((l) => l.amountNgwee !== 0))
    throw new UnbalancedEntry('an entry moves some money');
}

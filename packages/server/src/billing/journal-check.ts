import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** One way in which the journal and the cached balances disagree. */
export interface JournalDifference {
  kind:
    | 'unbalanced_entry'
    | 'empty_entry'
    | 'cached_balance'
    | 'deleted_project_wallet'
    | 'usage_not_posted';
  subject: string;
  message: string;
}

/**
 * Checks the whole journal: every entry has postings that sum to zero; every project's
 * cached balance equals its wallet's postings; the wallet of a deleted project holds
 * nothing; and each usage entry posts exactly the charges that name it. Answers every
 * difference found (none when all is well).
 */
export async function checkJournal(db: Db): Promise<JournalDifference[]> {
  const differences: JournalDifference[] = [];

  const unbalanced = await sql<{ id: string; total: string; lines: string }>`
    select e.id, coalesce(sum(p.amount_ngwee), 0)::text as total, count(p.id)::text as lines
    from journal_entries e left join journal_postings p on p.entry_id = e.id
    group by e.id
    having coalesce(sum(p.amount_ngwee), 0) <> 0 or count(p.id) = 0
  `.execute(db);
  for (const r of unbalanced.rows) {
    differences.push(
      r.lines === '0'
        ? { kind: 'empty_entry', subject: r.id, message: `entry ${r.id} has no postings` }
        : {
            kind: 'unbalanced_entry',
            subject: r.id,
            message: `entry ${r.id}'s postings sum to ${r.total} ngwee, not 0`,
          },
    );
  }

  const balances = await sql<{ id: string; cached: string; journal: string }>`
    select p.id, p.balance_ngwee::text as cached, coalesce(w.total, 0)::text as journal
    from projects p
    left join (
      select a.project_id, sum(jp.amount_ngwee) as total
      from ledger_accounts a join journal_postings jp on jp.account_id = a.id
      where a.kind = 'wallet'
      group by a.project_id
    ) w on w.project_id = p.id
    where p.balance_ngwee <> coalesce(w.total, 0)
  `.execute(db);
  for (const r of balances.rows) {
    differences.push({
      kind: 'cached_balance',
      subject: r.id,
      message: `project ${r.id}: cached balance ${r.cached} ngwee, journal ${r.journal} ngwee`,
    });
  }

  const orphans = await sql<{ project_id: string; total: string }>`
    select a.project_id, sum(jp.amount_ngwee)::text as total
    from ledger_accounts a join journal_postings jp on jp.account_id = a.id
    where a.kind = 'wallet' and not exists (select 1 from projects p where p.id = a.project_id)
    group by a.project_id
    having sum(jp.amount_ngwee) <> 0
  `.execute(db);
  for (const r of orphans.rows) {
    differences.push({
      kind: 'deleted_project_wallet',
      subject: r.project_id,
      message: `deleted project ${r.project_id}'s wallet still holds ${r.total} ngwee`,
    });
  }

  const usage = await sql<{ id: string; charged: string; posted: string }>`
    select e.id, coalesce(c.total, 0)::text as charged, coalesce(-w.total, 0)::text as posted
    from journal_entries e
    left join (
      select entry_id, sum(amount_ngwee) as total from usage_charges
      where entry_id is not null group by entry_id
    ) c on c.entry_id = e.id
    left join (
      select jp.entry_id, sum(jp.amount_ngwee) as total
      from journal_postings jp join ledger_accounts a on a.id = jp.account_id
      where a.kind = 'wallet' group by jp.entry_id
    ) w on w.entry_id = e.id
    where e.kind = 'usage' and coalesce(c.total, 0) <> coalesce(-w.total, 0)
  `.execute(db);
  for (const r of usage.rows) {
    differences.push({
      kind: 'usage_not_posted',
      subject: r.id,
      message: `usage entry ${r.id}: charges total ${r.charged} ngwee, wallet debited ${r.posted} ngwee`,
    });
  }
  const dangling = await sql<{ n: string }>`
    select count(*)::text as n from usage_charges c
    where c.entry_id is not null
      and not exists (select 1 from journal_entries e where e.id = c.entry_id and e.kind = 'usage')
  `.execute(db);
  if (dangling.rows[0]!.n !== '0') {
    differences.push({
      kind: 'usage_not_posted',
      subject: 'usage_charges',
      message: `${dangling.rows[0]!.n} usage charge(s) name a usage entry the journal does not hold`,
    });
  }
  const unposted = await sql<{ n: string }>`
    select count(*)::text as n from usage_charges where amount_ngwee > 0 and entry_id is null
  `.execute(db);
  if (unposted.rows[0]!.n !== '0') {
    differences.push({
      kind: 'usage_not_posted',
      subject: 'usage_charges',
      message: `${unposted.rows[0]!.n} usage charge(s) of more than 0 ngwee are in no journal entry`,
    });
  }
  return differences;
}

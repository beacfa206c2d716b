import { sql, type SelectQueryBuilder } from 'kysely';
import type { Pagination } from '@swiftcloud/contracts';

/**
 * Runs an ordered query for one page and tells the total, in one round trip while the page
 * has rows (a window count), and with a second count only for a page past the end.
 */
export async function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: Pagination,
): Promise<{ rows: O[]; total: number }> {
  const rows = await query
    .select(sql<number>`count(*) over ()`.as('total_count'))
    .limit(page.per_page)
    .offset((page.page - 1) * page.per_page)
    .execute();
  const withTotals = rows as unknown as (O & { total_count: number })[];
  let total = withTotals[0]?.total_count ?? 0;
  if (rows.length === 0 && page.page > 1) {
    const counted = await query
      .clearSelect()
      .clearOrderBy()
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst();
    total = Number((counted as { n?: number } | undefined)?.n ?? 0);
  }
  return {
    rows: withTotals.map(({ total_count: _total, ...row }) => row as O),
    total: Number(total),
  };
}

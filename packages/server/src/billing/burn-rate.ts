import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { MICRO_NGWEE_PER_NGWEE } from './money.js';

/**
 * What a project's live resources cost per hour, in micro-ngwee: each VM's size price plus,
 * for a VM with a public IPv4 address, the address's price. Deleted VMs cost nothing.
 */
export function burnRates(db: Db, publicIpMicroNgwee: number) {
  return db
    .selectFrom('vms as v')
    .innerJoin('sizes as s', 's.id', 'v.size_id')
    .where('v.deleted_at', 'is', null)
    .groupBy('v.project_id')
    .select([
      'v.project_id',
      sql<string>`sum(s.hourly_price_micro_ngwee + case when v.public_ip then ${publicIpMicroNgwee}::bigint else 0 end)::text`.as(
        'burn',
      ),
    ]);
}

export async function burnRateOf(
  db: Db,
  projectId: string,
  publicIpMicroNgwee: number,
): Promise<number> {
  const row = await burnRates(db, publicIpMicroNgwee)
    .where('v.project_id', '=', projectId)
    .executeTakeFirst();
  return row ? Number(row.burn) : 0;
}

/**
 * Whole hours the balance pays at the burn rate: null when nothing burns, 0 when the
 * balance is zero or below, else floor(balance / rate), computed exactly.
 */
export function hoursRemaining(balanceNgwee: number, burnMicroNgwee: number): number | null {
  if (burnMicroNgwee <= 0) return null;
  if (balanceNgwee <= 0) return 0;
  return Number((BigInt(balanceNgwee) * BigInt(MICRO_NGWEE_PER_NGWEE)) / BigInt(burnMicroNgwee));
}

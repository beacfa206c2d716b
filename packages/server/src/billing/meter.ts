import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Clock } from '../platform/clock.js';

const HOUR_MS = 3_600_000;
/** pg_advisory_xact_lock key of the meter: one hour is charged by one transaction at a time. */
const METER_LOCK = 0x5c_b1_11;

export function startOfHour(d: Date): Date {
  return new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
}

export function startOfMonth(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

export interface MeterRun {
  /** The UTC hours looked at, oldest first. */
  hours: number;
  /** Charges made in this run (not counting those an earlier or concurrent run made). */
  charges: number;
  ngwee: number;
  projects: number;
}

/**
 * Charges every billable resource for every started UTC hour, exactly once.
 *
 * A charge is the row (resource, hour) of `usage_charges`; the rows of one hour, their
 * journal entries (one per project) and the balance updates are written by one statement
 * in one transaction, so a crash leaves an hour either wholly charged or not at all.
 * A run looks at every hour from an hour before the previous run started (or, the first
 * time, from the oldest VM) up to the current one, so a rerun charges nothing twice and
 * a server that was down catches up. Two meters at once queue on an advisory lock, and
 * the unique key (ON CONFLICT DO NOTHING) would stop a double charge even without it.
 *
 * The amount of the k-th hour of a resource in a calendar month is
 * `min(cap, floor(k·p / 10⁶)) − min(cap, floor((k−1)·p / 10⁶))` ngwee for an hourly price
 * of p micro-ngwee, so the month's charges always sum to `min(cap, floor(K·p / 10⁶))`
 * after K hours: no drift, and never past the cap. The price and cap of a month are those
 * of the resource's first charged hour in it (a price change applies from the next month).
 */
export class Meter {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: { publicIpHourlyPriceMicroNgwee: number },
  ) {}

  async run(): Promise<MeterRun> {
    const now = this.clock.now();
    const current = startOfHour(now);
    const { from, lookedAt } = await this.whereToStart(current);
    const total: MeterRun = { hours: 0, charges: 0, ngwee: 0, projects: 0 };
    const projects = new Set<string>();
    for (let h = from.getTime(); h <= current.getTime(); h += HOUR_MS) {
      // An hour the previous run looked at can miss only the VMs made around that run.
      const createdSince =
        lookedAt && h <= startOfHour(lookedAt).getTime()
          ? new Date(lookedAt.getTime() - HOUR_MS)
          : null;
      const charged = await this.chargeHour(new Date(h), now, createdSince);
      total.hours += 1;
      total.charges += charged.charges;
      total.ngwee += charged.ngwee;
      for (const p of charged.projects) projects.add(p);
    }
    total.projects = projects.size;
    await this.db
      .insertInto('meter_state')
      .values({ id: 1, last_run_at: now })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ last_run_at: sql`greatest(meter_state.last_run_at, ${now})` }),
      )
      .execute();
    return total;
  }

  /**
   * The first hour to look at, and when the previous complete run started (null for the
   * first run ever, which looks at every hour since the oldest VM).
   */
  private async whereToStart(current: Date): Promise<{ from: Date; lookedAt: Date | null }> {
    const state = await this.db
      .selectFrom('meter_state')
      .select('last_run_at')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (state) {
      // A VM created just before the previous run may have committed just after it.
      const from = new Date(startOfHour(state.last_run_at).getTime() - HOUR_MS);
      return { from: from < current ? from : current, lookedAt: state.last_run_at };
    }
    const oldest = await this.db
      .selectFrom('vms')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .executeTakeFirst();
    const at = oldest?.at ? startOfHour(new Date(oldest.at as Date | string)) : current;
    return { from: at < current ? at : current, lookedAt: null };
  }

  /**
   * Charges one UTC hour: every VM alive at some moment of it (created before its end, not
   * deleted before its start), and its public IPv4 address if it has one; with
   * `createdSince`, only the VMs created since then (the others were charged already).
   */
  async chargeHour(
    hour: Date,
    now: Date,
    createdSince: Date | null = null,
  ): Promise<{ charges: number; ngwee: number; projects: string[] }> {
    const hourEnd = new Date(hour.getTime() + HOUR_MS);
    const monthStart = startOfMonth(hour);
    const ipPrice = this.settings.publicIpHourlyPriceMicroNgwee;
    const memo = `Usage ${hour.toISOString().slice(0, 13)}:00Z`;
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${METER_LOCK})`.execute(tx);
      const { rows } = await sql<{ project_id: string; total: string; charges: string }>`
        with alive as (
          select v.id, v.project_id, v.public_ip,
            s.hourly_price_micro_ngwee as price, s.monthly_cap_ngwee as cap,
            greatest(${monthStart}::timestamptz, date_trunc('hour', v.created_at, 'UTC')) as first_hour
          from vms v join sizes s on s.id = v.size_id
          where v.created_at < ${hourEnd} and (v.deleted_at is null or v.deleted_at > ${hour})
            and v.created_at >= ${createdSince ?? new Date(0)}
        ),
        resources as (
          select 'vm'::text as resource_type, a.id, a.project_id, a.first_hour,
            a.price, a.cap from alive a
          union all
          select 'public_ip', a.id, a.project_id, a.first_hour,
            ${ipPrice}::bigint, null::bigint from alive a where a.public_ip
        ),
        priced as (
          select r.resource_type, r.id, r.project_id,
            (extract(epoch from (${hour}::timestamptz - r.first_hour))::bigint / 3600 + 1)::int as k,
            coalesce(f.hourly_price_micro_ngwee, r.price) as price,
            case when f.vm_id is null then r.cap else f.monthly_cap_ngwee end as cap
          from resources r
          left join usage_charges f
            on f.resource_type = r.resource_type and f.vm_id = r.id and f.hour = r.first_hour
        ),
        amounts as (
          select p.*,
            case when p.cap is null
              then (p.k * p.price) / 1000000 - ((p.k - 1) * p.price) / 1000000
              else least(p.cap * 1000000, p.k * p.price) / 1000000
                 - least(p.cap * 1000000, (p.k - 1) * p.price) / 1000000
            end as amount
          from priced p
        ),
        planned as (
          select project_id, gen_random_uuid() as entry_id
          from amounts where amount > 0 group by project_id
        ),
        inserted as (
          insert into usage_charges (resource_type, vm_id, hour, project_id, month_hour,
            hourly_price_micro_ngwee, monthly_cap_ngwee, amount_ngwee, entry_id)
          select a.resource_type, a.id, ${hour}, a.project_id, a.k, a.price, a.cap, a.amount,
            case when a.amount > 0 then pl.entry_id end
          from amounts a left join planned pl on pl.project_id = a.project_id
          on conflict do nothing
          returning resource_type, project_id, amount_ngwee, entry_id
        ),
        counted as (
          select project_id, count(*) as charges from inserted group by project_id
        ),
        totals as (
          select entry_id, project_id,
            sum(amount_ngwee)::bigint as total,
            (sum(amount_ngwee) filter (where resource_type = 'vm'))::bigint as vm_total,
            (sum(amount_ngwee) filter (where resource_type = 'public_ip'))::bigint as ip_total
          from inserted where entry_id is not null
          group by entry_id, project_id
        ),
        new_wallets as (
          insert into ledger_accounts (kind, project_id)
          select 'wallet', project_id from totals
          on conflict (project_id) do nothing
          returning id, project_id
        ),
        entries as (
          insert into journal_entries (id, idempotency_key, kind, project_id, memo, created_at)
          select entry_id, 'usage:' || project_id || ':' || ${hour.toISOString()} || ':' || entry_id,
            'usage', project_id, ${memo}, ${now}
          from totals
          returning id
        ),
        postings as (
          insert into journal_postings (entry_id, account_id, amount_ngwee)
          select t.entry_id, coalesce(nw.id, w.id), -t.total
          from totals t
          left join new_wallets nw on nw.project_id = t.project_id
          left join ledger_accounts w on w.project_id = t.project_id
          union all
          select t.entry_id, (select id from ledger_accounts where kind = 'compute_revenue'), t.vm_total
          from totals t where t.vm_total > 0
          union all
          select t.entry_id, (select id from ledger_accounts where kind = 'ip_revenue'), t.ip_total
          from totals t where t.ip_total > 0
          returning entry_id
        ),
        balances as (
          update projects p set balance_ngwee = p.balance_ngwee - t.total
          from totals t where p.id = t.project_id
          returning p.id
        )
        select c.project_id, coalesce(t.total, 0)::text as total, c.charges::text as charges
        from counted c left join totals t on t.project_id = c.project_id
      `.execute(tx);
      let charges = 0;
      let ngwee = 0;
      for (const r of rows) {
        charges += Number(r.charges);
        ngwee += Number(r.total);
      }
      return { charges, ngwee, projects: rows.map((r) => r.project_id) };
    });
  }
}

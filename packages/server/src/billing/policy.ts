import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { BillingEventType } from '../db/schema.js';
import type { Clock } from '../platform/clock.js';
import { burnRates, hoursRemaining } from './burn-rate.js';
import { formatNgwee } from './money.js';

/**
 * How billing powers a project's VMs off when its money has run out, and lets them run
 * again. Compute implements it (VmSuspension); both calls are safe to repeat, and may leave
 * a VM busy with another action for the next call.
 */
export interface ProjectSuspension {
  /** Suspends every live VM of the project not already suspended; answers how many. */
  suspendProject(projectId: string): Promise<number>;
  /** Suspended VMs become stopped (or are started, with `restart`); answers how many. */
  liftSuspension(projectId: string, opts: { restart: boolean }): Promise<number>;
}

interface ProjectState {
  id: string;
  balance_ngwee: number;
  burn: string | null;
  low_balance_notified_hours: number | null;
  zero_since: Date | null;
  suspended_at: Date | null;
}

/**
 * The zero-balance policy: low-balance events as the hours left fall under each threshold
 * (once per crossing; re-armed when the hours left rise above it again), a grace period
 * from the moment the balance reaches zero, then suspension, lifted by a top-up.
 */
export class BillingPolicy {
  constructor(
    private readonly db: Db,
    private readonly suspension: ProjectSuspension,
    private readonly settings: Config['billing'],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Applies the policy to every project it may concern (after a meter run). A project
   * whose suspension fails (compute unavailable) is logged and tried again next time; the
   * others go on.
   */
  async enforce(): Promise<void> {
    for (const p of await this.candidates()) {
      try {
        await this.apply(p);
      } catch (err) {
        this.log.error({ err, projectId: p.id }, 'billing: the zero-balance policy failed');
      }
    }
  }

  /** Applies the policy to one project (after a top-up or an adjustment). */
  async enforceFor(projectId: string): Promise<void> {
    const [p] = await this.candidates(projectId);
    if (p) await this.apply(p);
  }

  private async candidates(projectId?: string): Promise<ProjectState[]> {
    const highest = this.settings.lowBalanceHours[0] ?? 0;
    let q = this.db
      .selectFrom('projects as p')
      .leftJoin(burnRates(this.db, this.settings.publicIpHourlyPriceMicroNgwee).as('b'), (j) =>
        j.onRef('b.project_id', '=', 'p.id'),
      )
      .leftJoin('project_billing as pb', 'pb.project_id', 'p.id')
      .select([
        'p.id',
        'p.balance_ngwee',
        'b.burn',
        'pb.low_balance_notified_hours',
        'pb.zero_since',
        'pb.suspended_at',
      ]);
    if (projectId) q = q.where('p.id', '=', projectId);
    else {
      q = q.where((eb) =>
        eb.or([
          eb(
            sql`p.balance_ngwee::numeric * 1000000`,
            '<',
            sql`coalesce(b.burn::numeric, 0) * ${highest}`,
          ),
          eb('p.balance_ngwee', '<=', 0).and(sql<boolean>`b.burn is not null`),
          eb('pb.low_balance_notified_hours', 'is not', null),
          eb('pb.zero_since', 'is not', null),
          eb('pb.suspended_at', 'is not', null),
        ]),
      );
    }
    return (await q.execute()) as ProjectState[];
  }

  private async apply(p: ProjectState): Promise<void> {
    const now = this.clock.now();
    const burn = p.burn === null ? 0 : Number(p.burn);
    const hours = hoursRemaining(p.balance_ngwee, burn);
    const events: { type: BillingEventType; threshold?: number }[] = [];
    let notified = p.low_balance_notified_hours;
    let zeroSince = p.zero_since;
    let suspendedAt = p.suspended_at;

    if (hours !== null) {
      for (const t of this.settings.lowBalanceHours) {
        if (hours < t && (notified === null || t < notified)) {
          events.push({ type: 'low_balance', threshold: t });
          notified = t;
        }
      }
    }
    if (notified !== null && (hours === null || hours >= notified)) {
      // The hours left rose back above the thresholds announced: those are armed again.
      const stillUnder = this.settings.lowBalanceHours.filter((t) => hours !== null && hours < t);
      notified = stillUnder.length > 0 ? Math.min(...stillUnder) : null;
    }

    if (p.balance_ngwee <= 0) {
      if (zeroSince === null) {
        zeroSince = now;
        events.push({ type: 'grace_started' });
      }
      if (now.getTime() - zeroSince.getTime() >= this.settings.graceMs) {
        // Repeated while suspended: VMs busy with another action are caught on a later run.
        await this.suspension.suspendProject(p.id);
        if (suspendedAt === null) {
          suspendedAt = now;
          events.push({ type: 'suspended' });
        }
      }
    } else {
      zeroSince = null;
      if (suspendedAt !== null) {
        await this.suspension.liftSuspension(p.id, { restart: this.settings.restartOnTopup });
        if (!(await this.hasSuspendedVms(p.id))) {
          suspendedAt = null;
          events.push({ type: 'suspension_lifted' });
        }
      }
    }

    const changed =
      notified !== p.low_balance_notified_hours ||
      zeroSince !== p.zero_since ||
      suspendedAt !== p.suspended_at;
    if (!changed && events.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      // Two evaluators of one project at once (two instances, a meter and a top-up): the
      // second sees the state the first wrote, and stands down.
      await sql`select pg_advisory_xact_lock(hashtext(${`billing:${p.id}`}))`.execute(tx);
      const stored = await tx
        .selectFrom('project_billing')
        .select(['low_balance_notified_hours', 'zero_since', 'suspended_at'])
        .where('project_id', '=', p.id)
        .executeTakeFirst();
      if (
        (stored?.low_balance_notified_hours ?? null) !== p.low_balance_notified_hours ||
        (stored?.zero_since?.getTime() ?? null) !== (p.zero_since?.getTime() ?? null) ||
        (stored?.suspended_at?.getTime() ?? null) !== (p.suspended_at?.getTime() ?? null)
      ) {
        events.length = 0;
        return;
      }
      await tx
        .insertInto('project_billing')
        .values({
          project_id: p.id,
          low_balance_notified_hours: notified,
          zero_since: zeroSince,
          suspended_at: suspendedAt,
        })
        .onConflict((oc) =>
          oc.column('project_id').doUpdateSet({
            low_balance_notified_hours: notified,
            zero_since: zeroSince,
            suspended_at: suspendedAt,
          }),
        )
        .execute();
      if (events.length > 0) {
        await tx
          .insertInto('billing_events')
          .values(
            events.map((e) => ({
              project_id: p.id,
              type: e.type,
              threshold_hours: e.threshold ?? null,
              balance_ngwee: p.balance_ngwee,
              hours_remaining: hours,
              created_at: now,
            })),
          )
          .execute();
      }
    });
    for (const e of events) {
      this.log.info(
        {
          projectId: p.id,
          event: e.type,
          thresholdHours: e.threshold,
          balance: formatNgwee(p.balance_ngwee),
          hoursRemaining: hours,
        },
        `billing: ${e.type.replace('_', ' ')}`,
      );
    }
  }

  private async hasSuspendedVms(projectId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('vms')
      .select('id')
      .where('project_id', '=', projectId)
      .where('status', '=', 'suspended')
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }
}

import { randomUUID } from 'node:crypto';
import type {
  Adjustment,
  AdjustmentBody,
  Coupon,
  CreateCouponBody,
  Pagination,
  UpdateCouponBody,
} from '@swiftcloud/contracts';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/database.js';
import type { AuditLog } from '../platform/audit.js';
import { apiTime, type Clock } from '../platform/clock.js';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.js';
import type { CouponChanges, CouponsRepo } from './coupons.repo.js';
import type { Ledger } from './ledger.js';
import { CURRENCY, formatNgwee, parseNgwee } from './money.js';
import type { BillingPolicy } from './policy.js';
import { couponView } from './views.js';

const time = (s: string | null | undefined) =>
  s === undefined ? undefined : s === null ? null : new Date(s);

function positiveAmount(text: string): number {
  const n = parseNgwee(text);
  if (n === null || n <= 0) throw ValidationFailed.field('amount', 'amount must be more than 0.00');
  return n;
}

function assertWindow(from: Date | null, until: Date | null): void {
  if (from && until && from >= until) {
    throw ValidationFailed.field('valid_until', 'valid_until must be after valid_from');
  }
}

/** What platform operators do with money: coupons, and credits or debits with a reason. */
export class BillingAdminService {
  constructor(
    private readonly db: Db,
    private readonly coupons: CouponsRepo,
    private readonly ledger: Ledger,
    private readonly policy: BillingPolicy,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async listCoupons(
    code: string | undefined,
    page: Pagination,
  ): Promise<{ data: Coupon[]; total: number }> {
    const { rows, total } = await this.coupons.list(code, page);
    return { data: rows.map(couponView), total };
  }

  async getCoupon(id: string): Promise<Coupon> {
    const row = await this.coupons.find(id);
    if (!row) throw new NotFound('Coupon');
    return couponView(row);
  }

  async createCoupon(principal: Principal, body: CreateCouponBody): Promise<Coupon> {
    const now = this.clock.now();
    const validFrom = time(body.valid_from) ?? null;
    const validUntil = time(body.valid_until) ?? null;
    assertWindow(validFrom, validUntil);
    const id = await this.coupons.create({
      code: body.code,
      amount_ngwee: positiveAmount(body.amount),
      max_redemptions: body.max_redemptions ?? null,
      valid_from: validFrom,
      valid_until: validUntil,
      active: body.active,
      new_projects_only: body.new_projects_only,
      created_by: principal.user.id,
      created_at: now,
      updated_at: now,
    });
    await this.auditCoupon(principal, 'coupon.create', id, {
      code: body.code,
      amount: body.amount,
    });
    return this.getCoupon(id);
  }

  async updateCoupon(principal: Principal, id: string, body: UpdateCouponBody): Promise<Coupon> {
    const current = await this.coupons.find(id);
    if (!current) throw new NotFound('Coupon');
    const changes: CouponChanges = {
      code: body.code,
      amount_ngwee: body.amount === undefined ? undefined : positiveAmount(body.amount),
      max_redemptions: body.max_redemptions,
      valid_from: time(body.valid_from),
      valid_until: time(body.valid_until),
      active: body.active,
      new_projects_only: body.new_projects_only,
    };
    for (const k of Object.keys(changes) as (keyof CouponChanges)[])
      if (changes[k] === undefined) delete changes[k];
    assertWindow(
      changes.valid_from !== undefined ? changes.valid_from : current.valid_from,
      changes.valid_until !== undefined ? changes.valid_until : current.valid_until,
    );
    if (
      changes.max_redemptions !== undefined &&
      changes.max_redemptions !== null &&
      changes.max_redemptions < current.redemptions
    ) {
      throw new Conflict(
        `Coupon ${current.code} has already been redeemed ${current.redemptions} times; max_redemptions cannot be lower`,
        [{ field: 'max_redemptions', message: `must be at least ${current.redemptions}` }],
      );
    }
    await this.coupons.update(id, changes, this.clock.now());
    await this.auditCoupon(principal, 'coupon.update', id, { ...body });
    return this.getCoupon(id);
  }

  /**
   * Credits (a positive amount) or debits a project, with the reason in the journal and
   * the audit trail; a credit also shows in the project's payments.
   */
  async adjust(principal: Principal, projectId: string, body: AdjustmentBody): Promise<Adjustment> {
    const amount = parseNgwee(body.amount);
    if (amount === null || amount === 0)
      throw ValidationFailed.field('amount', 'amount must not be 0.00');
    const now = this.clock.now();
    const result = await this.db.transaction().execute(async (tx) => {
      const project = await tx
        .selectFrom('projects')
        .select('id')
        .where('id', '=', projectId)
        .forUpdate()
        .executeTakeFirst();
      if (!project) throw new NotFound('Project');
      const { entryId } = await this.ledger.post(
        {
          idempotencyKey: `adjustment:${randomUUID()}`,
          kind: 'adjustment',
          projectId,
          memo: body.reason,
          actorUserId: principal.user.id,
          at: now,
          lines: [
            { account: { wallet: projectId }, amountNgwee: amount },
            { account: { platform: 'adjustments' }, amountNgwee: -amount },
          ],
        },
        tx,
      );
      if (amount > 0) {
        await tx
          .insertInto('payments')
          .values({
            project_id: projectId,
            amount_ngwee: amount,
            method: 'admin_credit',
            reference: body.reason,
            status: 'succeeded',
            entry_id: entryId,
            created_at: now,
          })
          .execute();
      }
      await this.audit.record(
        {
          actorUserId: principal.user.id,
          action: amount > 0 ? 'billing.credit' : 'billing.debit',
          targetType: 'project',
          targetId: projectId,
          projectId,
          details: { entryId, amountNgwee: amount, reason: body.reason },
          at: now,
        },
        tx,
      );
      const { balance_ngwee } = await tx
        .selectFrom('projects')
        .select('balance_ngwee')
        .where('id', '=', projectId)
        .executeTakeFirstOrThrow();
      return { entryId, balance: balance_ngwee };
    });
    await this.policy.enforceFor(projectId);
    return {
      id: result.entryId,
      projectId,
      amount: formatNgwee(amount),
      currency: CURRENCY,
      reason: body.reason,
      balance: formatNgwee(result.balance),
      createdAt: apiTime(now),
    };
  }

  private auditCoupon(
    principal: Principal,
    action: string,
    id: string,
    details: Record<string, unknown>,
  ) {
    return this.audit.record({
      actorUserId: principal.user.id,
      action,
      targetType: 'coupon',
      targetId: id,
      details,
      at: this.clock.now(),
    });
  }
}

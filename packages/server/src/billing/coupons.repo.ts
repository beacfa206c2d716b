import { sql } from 'kysely';
import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { paginate } from '../db/paginate.js';
import type { CouponsTable } from '../db/schema.js';
import type { Insertable } from 'kysely';
import { Conflict } from '../platform/errors.js';
import type { Ledger } from './ledger.js';
import type { PaymentRow } from './billing.repo.js';

export interface CouponRow {
  id: string;
  code: string;
  amount_ngwee: number;
  max_redemptions: number | null;
  redemptions: number;
  valid_from: Date | null;
  valid_until: Date | null;
  active: boolean;
  new_projects_only: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface CouponChanges {
  code?: string;
  amount_ngwee?: number;
  max_redemptions?: number | null;
  valid_from?: Date | null;
  valid_until?: Date | null;
  active?: boolean;
  new_projects_only?: boolean;
}

/** Why a redemption was refused, or the payment it made. */
export type Redemption =
  | { outcome: 'redeemed'; payment: PaymentRow }
  | {
      outcome:
        | 'unknown'
        | 'inactive'
        | 'not_yet_valid'
        | 'expired'
        | 'exhausted'
        | 'already_used'
        | 'not_new';
      coupon?: CouponRow;
    };

const COLUMNS = [
  'id',
  'code',
  'amount_ngwee',
  'max_redemptions',
  'redemptions',
  'valid_from',
  'valid_until',
  'active',
  'new_projects_only',
  'created_at',
  'updated_at',
] as const;

function duplicateCode(err: unknown, code: string | undefined): unknown {
  return isUniqueViolation(err, 'coupons_code_key')
    ? new Conflict(`A coupon with the code ${code} already exists (codes ignore case)`, [
        { field: 'code', message: 'A coupon with this code already exists' },
      ])
    : err;
}

export class CouponsRepo {
  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
  ) {}

  list(codeLike: string | undefined, page: Pagination) {
    let q = this.db.selectFrom('coupons').select(COLUMNS);
    if (codeLike)
      q = q.where(
        sql`lower(code)`,
        'like',
        `%${codeLike.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`,
      );
    return paginate(q.orderBy('created_at', 'desc').orderBy('id'), page);
  }

  find(id: string): Promise<CouponRow | undefined> {
    return this.db.selectFrom('coupons').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async create(values: Insertable<CouponsTable>): Promise<string> {
    try {
      const row = await this.db
        .insertInto('coupons')
        .values(values)
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    } catch (err) {
      throw duplicateCode(err, values.code);
    }
  }

  /** False when the coupon does not exist. */
  async update(id: string, changes: CouponChanges, now: Date): Promise<boolean> {
    try {
      const r = await this.db
        .updateTable('coupons')
        .set({ ...changes, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    } catch (err) {
      throw duplicateCode(err, changes.code);
    }
  }

  /**
   * Redeems a coupon for a project, atomically: the project's row is locked (one top-up of
   * a project at a time), and the redemption count rises only while it is under the
   * limit, in the UPDATE itself, so that concurrent redemptions of the last use give
   * exactly one success. The credit, the payment and the redemption commit together.
   */
  async redeem(input: {
    code: string;
    projectId: string;
    userId: string;
    now: Date;
  }): Promise<Redemption> {
    return this.db.transaction().execute(async (tx): Promise<Redemption> => {
      await tx
        .selectFrom('projects')
        .select('id')
        .where('id', '=', input.projectId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const coupon = await tx
        .selectFrom('coupons')
        .select(COLUMNS)
        .where(sql`lower(code)`, '=', input.code.toLowerCase())
        .executeTakeFirst();
      if (!coupon) return { outcome: 'unknown' };
      if (!coupon.active) return { outcome: 'inactive', coupon };
      if (coupon.valid_from && coupon.valid_from > input.now)
        return { outcome: 'not_yet_valid', coupon };
      if (coupon.valid_until && coupon.valid_until <= input.now)
        return { outcome: 'expired', coupon };
      const used = await tx
        .selectFrom('coupon_redemptions')
        .select('coupon_id')
        .where('coupon_id', '=', coupon.id)
        .where('project_id', '=', input.projectId)
        .executeTakeFirst();
      if (used) return { outcome: 'already_used', coupon };
      if (coupon.new_projects_only) {
        const paid = await tx
          .selectFrom('payments')
          .select('id')
          .where('project_id', '=', input.projectId)
          .where('status', '=', 'succeeded')
          .executeTakeFirst();
        if (paid) return { outcome: 'not_new', coupon };
      }
      const counted = await tx
        .updateTable('coupons')
        .set({ redemptions: sql`redemptions + 1` })
        .where('id', '=', coupon.id)
        .where('active', '=', true)
        .where((eb) =>
          eb.or([
            eb('max_redemptions', 'is', null),
            eb('redemptions', '<', eb.ref('max_redemptions')),
          ]),
        )
        .returning('amount_ngwee')
        .executeTakeFirst();
      if (!counted) return { outcome: 'exhausted', coupon };
      const amount = counted.amount_ngwee;
      const { entryId } = await this.ledger.post(
        {
          idempotencyKey: `coupon:${coupon.id}:${input.projectId}`,
          kind: 'coupon',
          projectId: input.projectId,
          memo: `Coupon ${coupon.code}`,
          actorUserId: input.userId,
          at: input.now,
          lines: [
            { account: { wallet: input.projectId }, amountNgwee: amount },
            { account: { platform: 'promotions' }, amountNgwee: -amount },
          ],
        },
        tx,
      );
      const payment = await tx
        .insertInto('payments')
        .values({
          project_id: input.projectId,
          amount_ngwee: amount,
          method: 'coupon',
          reference: coupon.code,
          status: 'succeeded',
          entry_id: entryId,
          created_at: input.now,
        })
        .returning(['id', 'amount_ngwee', 'method', 'reference', 'status', 'created_at'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('coupon_redemptions')
        .values({
          coupon_id: coupon.id,
          project_id: input.projectId,
          user_id: input.userId,
          payment_id: payment.id,
          created_at: input.now,
        })
        .execute();
      return { outcome: 'redeemed', payment };
    });
  }
}

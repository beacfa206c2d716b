import type { Balance, BillingEvent, Coupon, Payment, UsageDay } from '@swiftcloud/contracts';
import { apiTime } from '../platform/clock.js';
import type { BillingEventType } from '../db/schema.js';
import { hoursRemaining } from './burn-rate.js';
import type { PaymentRow, UsageDayRow } from './billing.repo.js';
import type { CouponRow } from './coupons.repo.js';
import { CURRENCY, formatMicroNgwee, formatNgwee } from './money.js';

export function balanceView(balanceNgwee: number, burnMicroNgwee: number): Balance {
  return {
    balance: formatNgwee(balanceNgwee),
    currency: CURRENCY,
    hourlyBurnRate: formatMicroNgwee(burnMicroNgwee),
    hoursRemaining: hoursRemaining(balanceNgwee, burnMicroNgwee),
  };
}

export function paymentView(row: PaymentRow): Payment {
  return {
    id: row.id,
    amount: formatNgwee(row.amount_ngwee),
    currency: CURRENCY,
    method: row.method,
    reference: row.reference,
    status: row.status,
    createdAt: apiTime(row.created_at),
  };
}

export function usageView(row: UsageDayRow): UsageDay {
  return {
    date: row.date,
    resourceType: row.resource_type,
    resourceId: row.vm_id,
    resourceName: row.name,
    hours: row.hours,
    amount: formatNgwee(Number(row.amount)),
    currency: CURRENCY,
  };
}

export function eventView(row: {
  id: string;
  type: BillingEventType;
  threshold_hours: number | null;
  balance_ngwee: number;
  hours_remaining: number | null;
  created_at: Date;
}): BillingEvent {
  return {
    id: row.id,
    type: row.type,
    thresholdHours: row.threshold_hours,
    balance: formatNgwee(row.balance_ngwee),
    currency: CURRENCY,
    hoursRemaining: row.hours_remaining,
    createdAt: apiTime(row.created_at),
  };
}

export function couponView(row: CouponRow): Coupon {
  return {
    id: row.id,
    code: row.code,
    amount: formatNgwee(row.amount_ngwee),
    currency: CURRENCY,
    maxRedemptions: row.max_redemptions,
    redemptions: row.redemptions,
    validFrom: apiTime(row.valid_from),
    validUntil: apiTime(row.valid_until),
    active: row.active,
    newProjectsOnly: row.new_projects_only,
    createdAt: apiTime(row.created_at),
    updatedAt: apiTime(row.updated_at),
  };
}

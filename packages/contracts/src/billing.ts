import { z } from 'zod';
import {
  currency,
  envelope,
  listEnvelope,
  money,
  paginationQuery,
  text,
  timestamp,
  uuid,
} from './common.js';

/** An hourly rate in ZMW, with as many places as it needs (two to eight). */
const hourlyRate = z
  .string()
  .meta({ example: '0.2932', description: 'ZMW per hour, two to eight decimal places' });

export const balanceSchema = z
  .object({
    balance: money,
    currency,
    hourlyBurnRate: hourlyRate.meta({
      description: "The sum of the hourly prices of the project's billable resources",
    }),
    hoursRemaining: z.number().int().nullable().meta({
      description: 'Whole hours the balance pays at that rate; null when nothing burns',
    }),
  })
  .meta({ id: 'Balance' });
export type Balance = z.infer<typeof balanceSchema>;

/** What the platform charges by the hour besides sizes (which `GET /v1/sizes` shows). */
export const pricesSchema = z
  .object({
    publicIpv4HourlyPrice: hourlyRate.meta({
      description: 'The hourly price of a public IPv4 address (a VM made with public_ip)',
    }),
    currency,
  })
  .meta({ id: 'Prices' });
export type Prices = z.infer<typeof pricesSchema>;
export const pricesResponse = envelope(pricesSchema);

export const projectQuery = z.object({ project_id: uuid });

export const PAYMENT_METHODS = ['coupon', 'admin_credit', 'mobile_money'] as const;
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const paymentSchema = z
  .object({
    id: uuid,
    amount: money,
    currency,
    method: z.enum(PAYMENT_METHODS),
    reference: z.string().meta({
      description: "The coupon's code, or the administrator's reason for a credit",
    }),
    status: z.enum(PAYMENT_STATUSES),
    createdAt: timestamp,
  })
  .meta({ id: 'Payment' });
export type Payment = z.infer<typeof paymentSchema>;

/** Coupon codes: letters, digits, hyphens and underscores; matched without regard to case. */
const couponCode = (field: string) =>
  z
    .string({ message: `${field} must be a coupon code such as PROMO2024` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(64, `${field} must be at most 64 characters`)
    .regex(
      /^[A-Za-z0-9_-]+$/,
      `${field} must be letters, digits, hyphens and underscores, such as PROMO2024`,
    )
    .meta({ example: 'PROMO2024' });

export const topupBody = z.strictObject({
  project_id: uuid,
  coupon_code: couponCode('coupon_code'),
});
export type TopupBody = z.infer<typeof topupBody>;

export const topupSchema = z
  .object({ payment: paymentSchema, balance: balanceSchema })
  .meta({ id: 'Topup' });

const day = (field: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a UTC day such as 2024-01-31`)
    .refine(
      (s) =>
        !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
        new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      {
        message: `${field} must be a UTC day such as 2024-01-31`,
      },
    )
    .meta({ example: '2024-01-31' });

export const usageQuery = paginationQuery.extend({
  project_id: uuid,
  from: day('from')
    .optional()
    .meta({ description: 'First UTC day; default the 1st of this month' }),
  to: day('to').optional().meta({ description: 'Last UTC day, included; default today' }),
});
export type UsageQuery = z.infer<typeof usageQuery>;

export const USAGE_RESOURCE_TYPES = ['vm', 'public_ip'] as const;

export const usageSchema = z
  .object({
    date: z.string().meta({ example: '2024-01-31', description: 'The UTC day' }),
    resourceType: z.enum(USAGE_RESOURCE_TYPES),
    resourceId: uuid.meta({ description: 'The VM (for a public IPv4 address, the VM it serves)' }),
    resourceName: z.string(),
    hours: z.number().int().meta({ description: 'Started UTC hours charged that day' }),
    amount: money,
    currency,
  })
  .meta({ id: 'UsageDay' });
export type UsageDay = z.infer<typeof usageSchema>;

export const BILLING_EVENT_TYPES = [
  'low_balance',
  'grace_started',
  'suspended',
  'suspension_lifted',
] as const;

export const billingEventSchema = z
  .object({
    id: uuid,
    type: z.enum(BILLING_EVENT_TYPES),
    thresholdHours: z.number().int().nullable(),
    balance: money,
    currency,
    hoursRemaining: z.number().int().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'BillingEvent' });
export type BillingEvent = z.infer<typeof billingEventSchema>;

export const balanceResponse = envelope(balanceSchema);
export const topupResponse = envelope(topupSchema);
export const paymentListQuery = paginationQuery.extend({ project_id: uuid });
export const paymentListResponse = listEnvelope(paymentSchema);
export const usageListResponse = listEnvelope(usageSchema);
export const billingEventListResponse = listEnvelope(billingEventSchema);

// ------------------------------------------------------------------------ administration

export const couponSchema = z
  .object({
    id: uuid,
    code: z.string().meta({ example: 'PROMO2024' }),
    amount: money,
    currency,
    maxRedemptions: z.number().int().nullable().meta({ description: 'null: unlimited' }),
    redemptions: z.number().int(),
    validFrom: timestamp.nullable(),
    validUntil: timestamp.nullable(),
    active: z.boolean(),
    newProjectsOnly: z.boolean().meta({
      description: 'Only for projects that never had a payment',
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Coupon' });
export type Coupon = z.infer<typeof couponSchema>;

const positiveAmount = z
  .string({ message: 'amount must be a decimal string in ZMW, such as "50.00"' })
  .trim()
  .regex(/^\d{1,9}(\.\d{1,2})?$/, 'amount must be a decimal string in ZMW, such as "50.00"')
  .meta({ example: '50.00' });

const time = (field: string) =>
  z.iso
    .datetime({
      offset: true,
      message: `${field} must be an RFC 3339 time such as 2027-01-01T00:00:00Z`,
    })
    .nullable();

const couponFields = {
  code: couponCode('code'),
  amount: positiveAmount,
  max_redemptions: z
    .number({ message: 'max_redemptions must be a whole number or null' })
    .int('max_redemptions must be a whole number')
    .min(1, 'max_redemptions must be at least 1')
    .max(100_000_000, 'max_redemptions must be at most 100000000')
    .nullable(),
  valid_from: time('valid_from'),
  valid_until: time('valid_until'),
  active: z.boolean({ message: 'active must be true or false' }),
  new_projects_only: z.boolean({ message: 'new_projects_only must be true or false' }),
};

export const createCouponBody = z.strictObject({
  code: couponFields.code,
  amount: couponFields.amount,
  max_redemptions: couponFields.max_redemptions.optional(),
  valid_from: couponFields.valid_from.optional(),
  valid_until: couponFields.valid_until.optional(),
  active: couponFields.active.default(true),
  new_projects_only: couponFields.new_projects_only.default(false),
});
export type CreateCouponBody = z.infer<typeof createCouponBody>;

export const updateCouponBody = z.strictObject({
  code: couponFields.code.optional(),
  amount: couponFields.amount.optional(),
  max_redemptions: couponFields.max_redemptions.optional(),
  valid_from: couponFields.valid_from.optional(),
  valid_until: couponFields.valid_until.optional(),
  active: couponFields.active.optional(),
  new_projects_only: couponFields.new_projects_only.optional(),
});
export type UpdateCouponBody = z.infer<typeof updateCouponBody>;

export const couponListQuery = paginationQuery.extend({
  code: z.string().trim().max(64).optional().meta({ description: 'Part of the code to match' }),
});

export const couponResponse = envelope(couponSchema);
export const couponListResponse = listEnvelope(couponSchema);

export const adjustmentBody = z.strictObject({
  amount: z
    .string({ message: 'amount must be a signed decimal string in ZMW, such as "-12.50"' })
    .trim()
    .regex(
      /^[+-]?\d{1,9}(\.\d{1,2})?$/,
      'amount must be a signed decimal string in ZMW, such as "25.00" or "-12.50"',
    )
    .meta({ example: '-12.50', description: 'Positive credits the project, negative debits it' }),
  reason: text({ min: 1, max: 500, label: 'reason' }),
});
export type AdjustmentBody = z.infer<typeof adjustmentBody>;

export const adjustmentSchema = z
  .object({
    id: uuid.meta({ description: 'The journal entry' }),
    projectId: uuid,
    amount: money,
    currency,
    reason: z.string(),
    balance: money.meta({ description: "The project's balance after the adjustment" }),
    createdAt: timestamp,
  })
  .meta({ id: 'Adjustment' });
export type Adjustment = z.infer<typeof adjustmentSchema>;
export const adjustmentResponse = envelope(adjustmentSchema);

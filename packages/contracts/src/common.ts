import { z } from 'zod';

/** Every error the API answers with, and the HTTP status each one carries. */
export const ERROR_STATUS = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  CONFLICT: 409,
  INSUFFICIENT_FUNDS: 402,
  RATE_LIMITED: 429,
  RESOURCE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const errorDetailSchema = z.object({
  field: z.string(),
  message: z.string(),
});

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: errorCodeSchema,
      message: z.string(),
      details: z.array(errorDetailSchema),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

// Bidirectional overrides, isolates and zero-width characters can make a name read
// differently from what it is; control characters break logs and terminals.
const DECEPTIVE_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

/**
 * Free text a person types and others read (names, descriptions): trimmed, NFC-normalised,
 * bounded, without control or direction-changing characters.
 */
export function text(opts: { min?: number; max: number; label: string }) {
  const min = opts.min ?? 0;
  // Checks, not transforms, so that the OpenAPI document shows the limits.
  return z
    .string()
    .normalize('NFC')
    .trim()
    .min(
      min,
      min === 1
        ? `${opts.label} must not be empty`
        : `${opts.label} must be at least ${min} characters`,
    )
    .max(opts.max, `${opts.label} must be at most ${opts.max} characters`)
    .refine((s) => !DECEPTIVE_CHARS.test(s), {
      message: `${opts.label} must not contain control, zero-width or text-direction characters`,
    });
}

export const uuid = z
  .string()
  .trim()
  .check(z.uuid({ message: 'Must be a UUID such as 3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c' }));

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email must be at most 254 characters')
  .check(z.email({ message: 'Must be an email address such as ada@example.co.zm' }));

/** RFC 3339 UTC time, as every response shows it (`2024-01-01T00:00:00Z`). */
export const timestamp = z.string().meta({ format: 'date-time', example: '2024-01-01T00:00:00Z' });

export const idParams = z.object({ id: uuid });

export const paginationQuery = z.object({
  page: z.coerce
    .number({ message: 'page must be a whole number' })
    .int('page must be a whole number')
    .min(1, 'page starts at 1')
    .max(1_000_000, 'page must be at most 1000000')
    .default(1),
  per_page: z.coerce
    .number({ message: 'per_page must be a whole number' })
    .int('per_page must be a whole number')
    .min(1, 'per_page must be at least 1')
    .max(100, 'per_page must be at most 100')
    .default(20),
});

export type Pagination = z.infer<typeof paginationQuery>;

export const pageMeta = z.object({ page: z.number(), perPage: z.number(), total: z.number() });

/** `{"data": T}`: the envelope of every success. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data });
}

/** `{"data": T[], "meta": {page, perPage, total}}`: the envelope of every list. */
export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), meta: pageMeta });
}

export const money = z
  .string()
  .meta({ example: '100.00', description: 'Decimal amount with two places' });
export const currency = z.literal('ZMW');

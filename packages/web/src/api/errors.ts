import { errorResponseSchema, type ErrorCode } from '@swiftcloud/contracts';

/** What went wrong on the client's side of the wire, beside the API's own error codes. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An API failure as the console handles it: the API's code, message and field details. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
    /** Seconds, from Retry-After on 429. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** The first message for each field the API named (`name`, `ttl`, `items.0.name`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) out[d.field] ??= d.message;
    return out;
  }
}

/** Turns a non-2xx response into an ApiError, whether or not its body is the API's envelope. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // a proxy's HTML page, or nothing at all
  }
  const parsed = errorResponseSchema.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(response.status, code, message, details, retryAfter);
  }
  return new ApiError(
    response.status,
    'UNEXPECTED_RESPONSE',
    `SwiftCloud answered ${response.status} ${response.statusText}`.trim(),
    [],
    retryAfter,
  );
}

function waitWords(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * The sentence a customer reads for a failure. The API's messages are written for people
 * already; the codes that carry little of their own get words here.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return 'Something went wrong in the console. Reload the page and try again.';
  }
  switch (error.code) {
    case 'NETWORK_ERROR':
      return 'SwiftCloud could not be reached. Check your connection and try again.';
    case 'UNEXPECTED_RESPONSE':
      return `SwiftCloud gave an answer the console does not understand (status ${error.status}). Try again in a moment.`;
    case 'RATE_LIMITED':
      return error.retryAfter
        ? `${error.message}. Try again in ${waitWords(error.retryAfter)}.`
        : `${error.message}. Try again later.`;
    case 'FORBIDDEN':
      return error.message || 'You are not allowed to do this.';
    case 'INTERNAL_ERROR':
      return `Something failed on SwiftCloud's side. ${error.message}`;
    case 'INSUFFICIENT_FUNDS':
      return `${error.message}. Top up the project's balance with a coupon on its Billing page.`;
    default:
      return error.message;
  }
}

/**
 * Splits an error between the fields a form shows and the rest: the form puts each field's
 * message next to that field and shows `summary` (everything not placed) above the button.
 */
export function formErrors(
  error: unknown,
  fields: readonly string[],
): { fields: Record<string, string>; summary: string | null } {
  if (!(error instanceof ApiError)) return { fields: {}, summary: describeError(error) };
  const placed: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const [field, message] of Object.entries(error.fieldErrors())) {
    if (fields.includes(field)) placed[field] = message;
    else unplaced.push(message);
  }
  if (error.details.length === 0) return { fields: placed, summary: describeError(error) };
  return { fields: placed, summary: unplaced.length > 0 ? unplaced.join(' ') : null };
}

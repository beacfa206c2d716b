import { ERROR_STATUS, type ErrorCode } from '@swiftcloud/contracts';

export interface ErrorDetail {
  field: string;
  message: string;
}

/** The project's own errors; services throw these and one handler renders them. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Sign in, or send a valid API key, to use this endpoint') {
    super('UNAUTHORIZED', message);
  }
}

export class Forbidden extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFound extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ValidationFailed extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('VALIDATION_ERROR', message, details);
  }
  static field(field: string, message: string): ValidationFailed {
    return new ValidationFailed(message, [{ field, message }]);
  }
}

export class Conflict extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('CONFLICT', message, details);
  }
}

export class InsufficientFunds extends AppError {
  constructor(message: string) {
    super('INSUFFICIENT_FUNDS', message);
  }
}

export class RateLimited extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
  }
}

export class Unavailable extends AppError {
  constructor(message: string) {
    super('RESOURCE_UNAVAILABLE', message);
  }
}

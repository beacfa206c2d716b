import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorResponse } from '@swiftcloud/contracts';
import { AppError, RateLimited, type ErrorDetail } from './errors.js';

interface ZodIssueLike {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

const CONTEXT_NAME: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

/** Turns schema issues into details that name the request's own fields (`project_id`, `items.0.name`). */
export function issuesToDetails(
  issues: ZodIssueLike[],
  context: string | undefined,
): ErrorDetail[] {
  const whole = CONTEXT_NAME[context ?? 'body'] ?? 'body';
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    const base = issue.instancePath.split('/').filter(Boolean).join('.');
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
      for (const key of issue.params.keys as string[]) {
        const field = base ? `${base}.${key}` : key;
        details.push({ field, message: `Unknown field ${field}: remove it or check its spelling` });
      }
      continue;
    }
    const field = base || whole;
    let message = issue.message;
    const missing =
      issue.keyword === 'invalid_type' ? /received (undefined|null)$/.exec(message) : null;
    if (missing && !base) message = `A JSON ${whole} is required`;
    else if (missing?.[1] === 'undefined') message = `${field} is required`;
    else if (missing) message = `${field} must not be null`;
    details.push({ field, message });
  }
  return details;
}

function render(code: AppError['code'], message: string, details: ErrorDetail[]): ErrorResponse {
  return { error: { code, message, details } };
}

/** The one place errors become responses in the API's error format. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(render('NOT_FOUND', `No endpoint ${request.method} ${request.url.split('?')[0]}`, []));
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err instanceof RateLimited) reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.status >= 500) request.log.error({ err }, err.message);
      return reply.code(err.status).send(render(err.code, err.message, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = issuesToDetails(
        err.validation as unknown as ZodIssueLike[],
        err.validationContext,
      );
      const first = details[0];
      const message = !first
        ? 'Invalid input data'
        : first.message.includes(first.field)
          ? first.message
          : `${first.field}: ${first.message}`;
      return reply.code(400).send(render('VALIDATION_ERROR', message, details));
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply
          .code(413)
          .send(
            render('VALIDATION_ERROR', 'The request body is larger than 1 MiB', [
              { field: 'body', message: 'At most 1 MiB' },
            ]),
          );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply
          .code(415)
          .send(
            render(
              'VALIDATION_ERROR',
              'Send the body as JSON, with Content-Type: application/json',
              [{ field: 'body', message: 'Content-Type must be application/json' }],
            ),
          );
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Malformed JSON, an empty JSON body, a bad Content-Length: the body itself is wrong.
      const message =
        err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
          ? 'The body is not valid JSON'
          : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
            ? 'The body is empty; send a JSON object'
            : 'The request could not be read';
      return reply
        .code(400)
        .send(render('VALIDATION_ERROR', message, [{ field: 'body', message }]));
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send(
        render(
          'INTERNAL_ERROR',
          `Something went wrong on our side; quote request id ${request.id} to support`,
          [],
        ),
      );
  });
}

import type { FastifyReply } from 'fastify';
import { errorResponseSchema, type Pagination } from '@swiftcloud/contracts';
import type { z } from 'zod';

/** Every route's error responses, in the one error format. */
export const ERROR_RESPONSES = { '4xx': errorResponseSchema, '5xx': errorResponseSchema } as const;

export function responses<T extends Record<number, z.ZodType>>(ok: T): T & typeof ERROR_RESPONSES {
  return { ...ok, ...ERROR_RESPONSES };
}

/** The list envelope: `{data, meta: {page, perPage, total}}`. */
export function listOf<T>(rows: T[], total: number, page: Pagination) {
  return { data: rows, meta: { page: page.page, perPage: page.per_page, total } };
}

/** 204 No Content, for deletions and sign-out. */
export function noContent(reply: FastifyReply) {
  return reply.code(204).send();
}

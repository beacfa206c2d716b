import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createRecordBody,
  idParams,
  paginationQuery,
  recordListResponse,
  recordParams,
  recordResponse,
  updateRecordBody,
} from '@swiftcloud/contracts';
import { principalOf } from '../auth/principal.js';
import { listOf, noContent, responses } from '../platform/routes.js';
import type { RecordsService } from './records.service.js';

const tags = ['domains'];

export function recordsRoutes({ records }: { records: RecordsService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/domains/:id/records',
      {
        schema: {
          tags,
          summary: "List a domain's records (the platform's SOA and apex NS are not listed)",
          params: idParams,
          querystring: paginationQuery,
          response: responses({ 200: recordListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await records.list(
          principalOf(request),
          request.params.id,
          request.query,
        );
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/domains/:id/records',
      {
        schema: {
          tags,
          summary: 'Add a DNS record',
          params: idParams,
          body: createRecordBody,
          response: responses({ 201: recordResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          data: await records.create(principalOf(request), request.params.id, request.body),
        }),
    );

    app.patch(
      '/domains/:id/records/:record_id',
      {
        schema: {
          tags,
          summary: 'Change a DNS record (a ttl sent applies to its whole RRset)',
          params: recordParams,
          body: updateRecordBody,
          response: responses({ 200: recordResponse }),
        },
      },
      async (request) => ({
        data: await records.update(
          principalOf(request),
          request.params.id,
          request.params.record_id,
          request.body,
        ),
      }),
    );

    app.delete(
      '/domains/:id/records/:record_id',
      {
        schema: {
          tags,
          summary: 'Delete a DNS record',
          params: recordParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await records.delete(principalOf(request), request.params.id, request.params.record_id);
        return noContent(reply);
      },
    );
  };
}

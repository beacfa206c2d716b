import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiKeyListResponse,
  createApiKeyBody,
  createdApiKeyResponse,
  idParams,
  paginationQuery,
} from '@swiftcloud/contracts';
import { listOf, noContent, responses } from '../platform/routes.js';
import type { ApiKeysService } from './api-keys.service.js';
import { principalOf } from './principal.js';
import { apiKeyView } from './views.js';

const tags = ['api-keys'];

export function apiKeysRoutes({ apiKeys }: { apiKeys: ApiKeysService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api-keys',
      {
        schema: {
          tags,
          summary: "List the caller's active API keys",
          querystring: paginationQuery,
          response: responses({ 200: apiKeyListResponse }),
        },
      },
      async (request) => {
        const { rows, total } = await apiKeys.list(principalOf(request), request.query);
        return listOf(rows.map(apiKeyView), total, request.query);
      },
    );

    app.post(
      '/api-keys',
      {
        schema: {
          tags,
          summary: 'Create an API key; the secret is in the response this once',
          body: createApiKeyBody,
          response: responses({ 201: createdApiKeyResponse }),
        },
      },
      async (request, reply) => {
        const b = request.body;
        const { row, key } = await apiKeys.create(principalOf(request), {
          name: b.name,
          scope: b.scope,
          projectId: b.project_id ?? null,
          expiresAt: b.expires_at ? new Date(b.expires_at) : null,
        });
        return reply.code(201).send({ data: { ...apiKeyView(row), key } });
      },
    );

    app.delete(
      '/api-keys/:id',
      {
        schema: {
          tags,
          summary: 'Revoke an API key',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await apiKeys.revoke(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );
  };
}

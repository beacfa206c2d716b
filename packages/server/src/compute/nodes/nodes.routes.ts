import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createNodeBody,
  idParams,
  nodeListResponse,
  nodeResponse,
  paginationQuery,
  updateNodeBody,
} from '@swiftcloud/contracts';
import { principalOf } from '../../auth/principal.js';
import { listOf, noContent, responses } from '../../platform/routes.js';
import type { NodesService } from './nodes.service.js';

const tags = ['admin'];
const config = { access: 'admin' as const };

export function nodesRoutes({ nodes }: { nodes: NodesService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/nodes',
      {
        config,
        schema: {
          tags,
          summary: 'List hypervisor nodes',
          querystring: paginationQuery,
          response: responses({ 200: nodeListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await nodes.list(request.query);
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/admin/nodes',
      {
        config,
        schema: {
          tags,
          summary: 'Add a hypervisor node (credentials are write-only)',
          body: createNodeBody,
          response: responses({ 201: nodeResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await nodes.create(principalOf(request), request.body) }),
    );

    app.get(
      '/admin/nodes/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Get a hypervisor node',
          params: idParams,
          response: responses({ 200: nodeResponse }),
        },
      },
      async (request) => ({ data: await nodes.get(request.params.id) }),
    );

    app.patch(
      '/admin/nodes/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Change a hypervisor node (credentials sent replace all of them)',
          params: idParams,
          body: updateNodeBody,
          response: responses({ 200: nodeResponse }),
        },
      },
      async (request) => ({
        data: await nodes.update(principalOf(request), request.params.id, request.body),
      }),
    );

    app.delete(
      '/admin/nodes/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Remove a hypervisor node with its template sources and pool memberships',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await nodes.delete(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );
  };
}

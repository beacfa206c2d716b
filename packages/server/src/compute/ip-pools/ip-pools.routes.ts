import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createIpPoolBody,
  idParams,
  ipPoolListResponse,
  ipPoolResponse,
  paginationQuery,
  updateIpPoolBody,
} from '@swiftcloud/contracts';
import { principalOf } from '../../auth/principal.js';
import { listOf, noContent, responses } from '../../platform/routes.js';
import type { IpPoolsService } from './ip-pools.service.js';

const tags = ['admin'];
const config = { access: 'admin' as const };

export function ipPoolsRoutes({ pools }: { pools: IpPoolsService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/ip-pools',
      {
        config,
        schema: {
          tags,
          summary: 'List IPv4 pools with how many addresses each has and has handed out',
          querystring: paginationQuery,
          response: responses({ 200: ipPoolListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await pools.list(request.query);
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/admin/ip-pools',
      {
        config,
        schema: {
          tags,
          summary: 'Add an IPv4 pool (its network may not overlap another pool)',
          body: createIpPoolBody,
          response: responses({ 201: ipPoolResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await pools.create(principalOf(request), request.body) }),
    );

    app.get(
      '/admin/ip-pools/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Get an IPv4 pool',
          params: idParams,
          response: responses({ 200: ipPoolResponse }),
        },
      },
      async (request) => ({ data: await pools.get(request.params.id) }),
    );

    app.patch(
      '/admin/ip-pools/:id',
      {
        config,
        schema: {
          tags,
          summary:
            'Change a pool’s name, gateway, range or nodes (allocated addresses must stay inside)',
          params: idParams,
          body: updateIpPoolBody,
          response: responses({ 200: ipPoolResponse }),
        },
      },
      async (request) => ({
        data: await pools.update(principalOf(request), request.params.id, request.body),
      }),
    );

    app.delete(
      '/admin/ip-pools/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Remove a pool none of whose addresses is allocated',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await pools.delete(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );
  };
}

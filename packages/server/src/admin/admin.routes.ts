import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  adminUserListQuery,
  adminUserResponse,
  adminUserListResponse,
  idParams,
} from '@swiftcloud/contracts';
import { principalOf } from '../auth/principal.js';
import { listOf, responses } from '../platform/routes.js';
import type { AdminUsersService } from './users.admin.service.js';

const tags = ['admin'];
const config = { access: 'admin' as const };

export function adminRoutes({ users }: { users: AdminUsersService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/users',
      {
        config,
        schema: {
          tags,
          summary: 'List accounts',
          querystring: adminUserListQuery,
          response: responses({ 200: adminUserListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await users.list({ email: request.query.email }, request.query);
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/admin/users/:id/disable',
      {
        config,
        schema: {
          tags,
          summary: 'Disable an account (ends its sessions, stops its keys)',
          params: idParams,
          response: responses({ 200: adminUserResponse }),
        },
      },
      async (request) => ({ data: await users.disable(principalOf(request), request.params.id) }),
    );

    app.post(
      '/admin/users/:id/enable',
      {
        config,
        schema: {
          tags,
          summary: 'Enable an account again',
          params: idParams,
          response: responses({ 200: adminUserResponse }),
        },
      },
      async (request) => ({ data: await users.enable(principalOf(request), request.params.id) }),
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  actionListResponse,
  actionResponse,
  createVmBody,
  idParams,
  paginationQuery,
  powerBody,
  vmListQuery,
  vmListResponse,
  vmResponse,
} from '@swiftcloud/contracts';
import { principalOf } from '../../auth/principal.js';
import { listOf, responses } from '../../platform/routes.js';
import type { VmsService } from './vms.service.js';

const tags = ['vms'];

export function vmsRoutes({ vms }: { vms: VmsService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/vms',
      {
        schema: {
          tags,
          summary: "List a project's VMs",
          querystring: vmListQuery,
          response: responses({ 200: vmListResponse }),
        },
      },
      async (request) => {
        const { project_id: projectId, ...page } = request.query;
        const { data, total } = await vms.list(principalOf(request), projectId, page);
        return listOf(data, total, page);
      },
    );

    app.post(
      '/vms',
      {
        schema: {
          tags,
          summary: 'Create a VM (answered at once in status provisioning; follow its actions)',
          body: createVmBody,
          response: responses({ 202: vmResponse }),
        },
      },
      async (request, reply) =>
        reply.code(202).send({ data: await vms.create(principalOf(request), request.body) }),
    );

    app.get(
      '/vms/:id',
      {
        schema: {
          tags,
          summary: 'Get a VM',
          params: idParams,
          response: responses({ 200: vmResponse }),
        },
      },
      async (request) => ({ data: await vms.get(principalOf(request), request.params.id) }),
    );

    app.delete(
      '/vms/:id',
      {
        schema: {
          tags,
          summary: 'Delete a VM (status deleting at once; gone, its address released, when done)',
          params: idParams,
          response: responses({ 202: vmResponse }),
        },
      },
      async (request, reply) =>
        reply.code(202).send({ data: await vms.delete(principalOf(request), request.params.id) }),
    );

    app.post(
      '/vms/:id/power',
      {
        schema: {
          tags,
          summary: 'Start, stop, shut down (ACPI, then stop), reboot or reset a VM',
          params: idParams,
          body: powerBody,
          response: responses({ 202: actionResponse }),
        },
      },
      async (request, reply) =>
        reply.code(202).send({
          data: await vms.power(principalOf(request), request.params.id, request.body.action),
        }),
    );

    app.get(
      '/vms/:id/actions',
      {
        schema: {
          tags,
          summary: "A VM's actions, newest first",
          params: idParams,
          querystring: paginationQuery,
          response: responses({ 200: actionListResponse }),
        },
      },
      async (request) => {
        const page = request.query;
        const { data, total } = await vms.listActions(
          principalOf(request),
          request.params.id,
          page,
        );
        return listOf(data, total, page);
      },
    );

    app.get(
      '/actions/:id',
      {
        schema: {
          tags,
          summary: 'Get an action (an asynchronous operation on a VM)',
          params: idParams,
          response: responses({ 200: actionResponse }),
        },
      },
      async (request) => ({
        data: await vms.getAction(principalOf(request), request.params.id),
      }),
    );
  };
}

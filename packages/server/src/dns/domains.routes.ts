import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createDomainBody,
  domainListQuery,
  domainListResponse,
  domainResponse,
  idParams,
} from '@swiftcloud/contracts';
import { principalOf } from '../auth/principal.js';
import { listOf, noContent, responses } from '../platform/routes.js';
import type { DomainsService } from './domains.service.js';

const tags = ['domains'];

export function domainsRoutes({ domains }: { domains: DomainsService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/domains',
      {
        schema: {
          tags,
          summary: "List a project's domains",
          querystring: domainListQuery,
          response: responses({ 200: domainListResponse }),
        },
      },
      async (request) => {
        const { project_id: projectId, ...page } = request.query;
        const { data, total } = await domains.list(principalOf(request), projectId, page);
        return listOf(data, total, page);
      },
    );

    app.post(
      '/domains',
      {
        schema: {
          tags,
          summary: 'Add a domain to a project (pending until its nameservers are verified)',
          body: createDomainBody,
          response: responses({ 201: domainResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await domains.create(principalOf(request), request.body) }),
    );

    app.get(
      '/domains/:id',
      {
        schema: {
          tags,
          summary: 'Get a domain',
          params: idParams,
          response: responses({ 200: domainResponse }),
        },
      },
      async (request) => ({ data: await domains.get(principalOf(request), request.params.id) }),
    );

    app.delete(
      '/domains/:id',
      {
        schema: {
          tags,
          summary: 'Remove a domain and all its records',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await domains.delete(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );

    app.post(
      '/domains/:id/verify',
      {
        schema: {
          tags,
          summary:
            "Check now that the parent zone delegates the domain to SwiftCloud's nameservers",
          params: idParams,
          response: responses({ 200: domainResponse }),
        },
      },
      async (request) => ({ data: await domains.verify(principalOf(request), request.params.id) }),
    );

    app.get(
      '/domains/:id/zone',
      {
        schema: {
          tags,
          summary: 'The zone as an RFC 1035 zone file (text/plain)',
          params: idParams,
          produces: ['text/plain'],
          response: responses({
            200: z.string().meta({ description: 'The zone file, SOA and NS included' }),
          }),
        },
      },
      async (request, reply) => {
        const text = await domains.zoneFile(principalOf(request), request.params.id);
        return reply
          .type('text/plain; charset=utf-8')
          .serializer((s) => s as string)
          .send(text);
      },
    );
  };
}

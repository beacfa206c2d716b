import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { paginationQuery, sizeListResponse, templateListResponse } from '@swiftcloud/contracts';
import { listOf, responses } from '../../platform/routes.js';
import type { SizesService } from './sizes.service.js';
import type { TemplatesService } from './templates.service.js';

const tags = ['catalog'];

/** The catalog customers choose from when creating a VM; any signed-in caller reads it. */
export function catalogRoutes({
  templates,
  sizes,
}: {
  templates: TemplatesService;
  sizes: SizesService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/templates',
      {
        schema: {
          tags,
          summary: 'List the templates VMs can be created from',
          querystring: paginationQuery,
          response: responses({ 200: templateListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await templates.listPublic(request.query);
        return listOf(data, total, request.query);
      },
    );

    app.get(
      '/sizes',
      {
        schema: {
          tags,
          summary: 'List VM sizes with their prices in ZMW, cheapest first',
          querystring: paginationQuery,
          response: responses({ 200: sizeListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await sizes.listPublic(request.query);
        return listOf(data, total, request.query);
      },
    );
  };
}

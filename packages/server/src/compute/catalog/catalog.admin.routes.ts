import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  adminSizeListResponse,
  adminSizeResponse,
  adminTemplateListResponse,
  adminTemplateResponse,
  createSizeBody,
  createTemplateBody,
  idParams,
  paginationQuery,
  putTemplateSourceBody,
  templateSourceParams,
  updateSizeBody,
  updateTemplateBody,
} from '@swiftcloud/contracts';
import { principalOf } from '../../auth/principal.js';
import { listOf, noContent, responses } from '../../platform/routes.js';
import type { SizesService } from './sizes.service.js';
import type { TemplatesService } from './templates.service.js';

const tags = ['admin'];
const config = { access: 'admin' as const };

/** How administrators manage the catalog: templates with their per-node sources, and sizes. */
export function catalogAdminRoutes({
  templates,
  sizes,
}: {
  templates: TemplatesService;
  sizes: SizesService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/templates',
      {
        config,
        schema: {
          tags,
          summary: 'List every template, inactive ones and node sources included',
          querystring: paginationQuery,
          response: responses({ 200: adminTemplateListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await templates.list(request.query);
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/admin/templates',
      {
        config,
        schema: {
          tags,
          summary: 'Add a template',
          body: createTemplateBody,
          response: responses({ 201: adminTemplateResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await templates.create(principalOf(request), request.body) }),
    );

    app.get(
      '/admin/templates/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Get a template',
          params: idParams,
          response: responses({ 200: adminTemplateResponse }),
        },
      },
      async (request) => ({ data: await templates.get(request.params.id) }),
    );

    app.patch(
      '/admin/templates/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Change a template (sources sent replace all of them)',
          params: idParams,
          body: updateTemplateBody,
          response: responses({ 200: adminTemplateResponse }),
        },
      },
      async (request) => ({
        data: await templates.update(principalOf(request), request.params.id, request.body),
      }),
    );

    app.delete(
      '/admin/templates/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Remove a template no VM uses',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await templates.delete(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );

    app.put(
      '/admin/templates/:id/sources/:node_id',
      {
        config,
        schema: {
          tags,
          summary: "Set a node's own template for this template",
          params: templateSourceParams,
          body: putTemplateSourceBody,
          response: responses({ 200: adminTemplateResponse }),
        },
      },
      async (request) => ({
        data: await templates.setSource(
          principalOf(request),
          request.params.id,
          request.params.node_id,
          request.body.source,
        ),
      }),
    );

    app.delete(
      '/admin/templates/:id/sources/:node_id',
      {
        config,
        schema: {
          tags,
          summary: "Remove a node's source for this template",
          params: templateSourceParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await templates.removeSource(
          principalOf(request),
          request.params.id,
          request.params.node_id,
        );
        return noContent(reply);
      },
    );

    app.get(
      '/admin/sizes',
      {
        config,
        schema: {
          tags,
          summary: 'List every size, inactive ones included',
          querystring: paginationQuery,
          response: responses({ 200: adminSizeListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await sizes.list(request.query);
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/admin/sizes',
      {
        config,
        schema: {
          tags,
          summary: 'Add a size',
          body: createSizeBody,
          response: responses({ 201: adminSizeResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await sizes.create(principalOf(request), request.body) }),
    );

    app.get(
      '/admin/sizes/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Get a size',
          params: idParams,
          response: responses({ 200: adminSizeResponse }),
        },
      },
      async (request) => ({ data: await sizes.get(request.params.id) }),
    );

    app.patch(
      '/admin/sizes/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Change a size (new prices apply from then on)',
          params: idParams,
          body: updateSizeBody,
          response: responses({ 200: adminSizeResponse }),
        },
      },
      async (request) => ({
        data: await sizes.update(principalOf(request), request.params.id, request.body),
      }),
    );

    app.delete(
      '/admin/sizes/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Remove a size no VM uses',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await sizes.delete(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  balanceResponse,
  billingEventListResponse,
  paymentListQuery,
  paymentListResponse,
  pricesResponse,
  projectQuery,
  topupBody,
  topupResponse,
  usageListResponse,
  usageQuery,
} from '@swiftcloud/contracts';
import { principalOf } from '../auth/principal.js';
import { listOf, responses } from '../platform/routes.js';
import type { BillingService } from './billing.service.js';

const tags = ['billing'];

export function billingRoutes({ billing }: { billing: BillingService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/billing/prices',
      {
        schema: {
          tags,
          summary:
            'Hourly prices besides the sizes (a public IPv4 address), for any signed-in user',
          response: responses({ 200: pricesResponse }),
        },
      },
      async () => ({ data: billing.prices() }),
    );

    app.get(
      '/billing/balance',
      {
        schema: {
          tags,
          summary: "A project's balance, hourly burn rate and the hours it lasts",
          querystring: projectQuery,
          response: responses({ 200: balanceResponse }),
        },
      },
      async (request) => ({
        data: await billing.balance(principalOf(request), request.query.project_id),
      }),
    );

    app.post(
      '/billing/topup',
      {
        schema: {
          tags,
          summary: 'Add funds to a project with a coupon (project owners)',
          body: topupBody,
          response: responses({ 201: topupResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await billing.topup(principalOf(request), request.body) }),
    );

    app.get(
      '/billing/payments',
      {
        schema: {
          tags,
          summary: "A project's payments (credits), newest first",
          querystring: paymentListQuery,
          response: responses({ 200: paymentListResponse }),
        },
      },
      async (request) => {
        const { project_id: projectId, ...page } = request.query;
        const { data, total } = await billing.payments(principalOf(request), projectId, page);
        return listOf(data, total, page);
      },
    );

    app.get(
      '/billing/usage',
      {
        schema: {
          tags,
          summary: "A project's charges by UTC day and resource",
          querystring: usageQuery,
          response: responses({ 200: usageListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await billing.usage(principalOf(request), request.query);
        return listOf(data, total, request.query);
      },
    );

    app.get(
      '/billing/events',
      {
        schema: {
          tags,
          summary: "A project's low-balance, grace and suspension events, newest first",
          querystring: paymentListQuery,
          response: responses({ 200: billingEventListResponse }),
        },
      },
      async (request) => {
        const { project_id: projectId, ...page } = request.query;
        const { data, total } = await billing.events(principalOf(request), projectId, page);
        return listOf(data, total, page);
      },
    );
  };
}

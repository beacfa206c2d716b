import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  adjustmentBody,
  adjustmentResponse,
  couponListQuery,
  couponListResponse,
  couponResponse,
  createCouponBody,
  idParams,
  updateCouponBody,
} from '@swiftcloud/contracts';
import { principalOf } from '../auth/principal.js';
import { listOf, responses } from '../platform/routes.js';
import type { BillingAdminService } from './billing.admin.service.js';

const tags = ['admin'];
const config = { access: 'admin' as const };

/** How administrators manage coupons and adjust project balances. */
export function billingAdminRoutes({
  admin,
}: {
  admin: BillingAdminService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/coupons',
      {
        config,
        schema: {
          tags,
          summary: 'List coupons, newest first',
          querystring: couponListQuery,
          response: responses({ 200: couponListResponse }),
        },
      },
      async (request) => {
        const { code, ...page } = request.query;
        const { data, total } = await admin.listCoupons(code, page);
        return listOf(data, total, page);
      },
    );

    app.post(
      '/admin/coupons',
      {
        config,
        schema: {
          tags,
          summary: 'Create a coupon (codes are unique regardless of case)',
          body: createCouponBody,
          response: responses({ 201: couponResponse }),
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send({ data: await admin.createCoupon(principalOf(request), request.body) }),
    );

    app.get(
      '/admin/coupons/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Get a coupon',
          params: idParams,
          response: responses({ 200: couponResponse }),
        },
      },
      async (request) => ({ data: await admin.getCoupon(request.params.id) }),
    );

    app.patch(
      '/admin/coupons/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Change a coupon (deactivate it with active: false)',
          params: idParams,
          body: updateCouponBody,
          response: responses({ 200: couponResponse }),
        },
      },
      async (request) => ({
        data: await admin.updateCoupon(principalOf(request), request.params.id, request.body),
      }),
    );

    app.post(
      '/admin/projects/:id/adjustments',
      {
        config,
        schema: {
          tags,
          summary: "Credit or debit a project's balance, with a reason",
          params: idParams,
          body: adjustmentBody,
          response: responses({ 201: adjustmentResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          data: await admin.adjust(principalOf(request), request.params.id, request.body),
        }),
    );
  };
}

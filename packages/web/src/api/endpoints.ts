import * as c from '@swiftcloud/contracts';
import type { z } from 'zod';
import type { ApiClient } from './client';

type In<S extends z.ZodType> = z.input<S>;
const page = { per_page: 100 };

/** Every API call the console makes, typed by the contracts package. */
export function endpoints(api: ApiClient) {
  return {
    auth: {
      me: () => api.get('/v1/auth/me', c.meResponse),
      register: (body: In<typeof c.registerBody>) =>
        api.post('/v1/auth/register', body, c.sessionResponse),
      login: (body: In<typeof c.loginBody>) => api.post('/v1/auth/login', body, c.sessionResponse),
      logout: () => api.command('POST', '/v1/auth/logout'),
      changePassword: (body: In<typeof c.changePasswordBody>) =>
        api.post('/v1/auth/password', body, c.passwordChangedResponse),
    },
    apiKeys: {
      list: () => api.get('/v1/api-keys', c.apiKeyListResponse, page),
      create: (body: In<typeof c.createApiKeyBody>) =>
        api.post('/v1/api-keys', body, c.createdApiKeyResponse),
      revoke: (id: string) => api.command('DELETE', `/v1/api-keys/${id}`),
    },
    projects: {
      list: () => api.get('/v1/projects', c.projectListResponse, page),
      get: (id: string) => api.get(`/v1/projects/${id}`, c.projectResponse),
      create: (body: In<typeof c.createProjectBody>) =>
        api.post('/v1/projects', body, c.projectResponse),
      update: (id: string, body: In<typeof c.updateProjectBody>) =>
        api.patch(`/v1/projects/${id}`, body, c.projectResponse),
      remove: (id: string) => api.command('DELETE', `/v1/projects/${id}`),
      members: (id: string) => api.get(`/v1/projects/${id}/members`, c.memberListResponse, page),
      addMember: (id: string, body: In<typeof c.addMemberBody>) =>
        api.post(`/v1/projects/${id}/members`, body, c.memberResponse),
      updateMember: (id: string, userId: string, body: In<typeof c.updateMemberBody>) =>
        api.patch(`/v1/projects/${id}/members/${userId}`, body, c.memberResponse),
      removeMember: (id: string, userId: string) =>
        api.command('DELETE', `/v1/projects/${id}/members/${userId}`),
    },
    catalog: {
      templates: () => api.get('/v1/templates', c.templateListResponse, page),
      sizes: () => api.get('/v1/sizes', c.sizeListResponse, page),
    },
    vms: {
      list: (projectId: string) =>
        api.get('/v1/vms', c.vmListResponse, { project_id: projectId, ...page }),
      get: (id: string) => api.get(`/v1/vms/${id}`, c.vmResponse),
      create: (body: In<typeof c.createVmBody>) => api.post('/v1/vms', body, c.vmResponse),
      remove: (id: string) => api.command('DELETE', `/v1/vms/${id}`),
      power: (id: string, body: In<typeof c.powerBody>) =>
        api.post(`/v1/vms/${id}/power`, body, c.actionResponse),
      actions: (id: string) => api.get(`/v1/vms/${id}/actions`, c.actionListResponse, page),
      console: (id: string) => api.get(`/v1/vms/${id}/console`, c.consoleResponse),
    },
    domains: {
      list: (projectId: string) =>
        api.get('/v1/domains', c.domainListResponse, { project_id: projectId, ...page }),
      get: (id: string) => api.get(`/v1/domains/${id}`, c.domainResponse),
      create: (body: In<typeof c.createDomainBody>) =>
        api.post('/v1/domains', body, c.domainResponse),
      remove: (id: string) => api.command('DELETE', `/v1/domains/${id}`),
      verify: (id: string) => api.post(`/v1/domains/${id}/verify`, {}, c.domainResponse),
      zoneFile: (id: string) => api.text(`/v1/domains/${id}/zone`),
      zoneFileUrl: (id: string) => api.url(`/v1/domains/${id}/zone`),
      records: (id: string) =>
        api.get(`/v1/domains/${id}/records`, c.recordListResponse, { per_page: 100 }),
      createRecord: (id: string, body: In<typeof c.createRecordBody>) =>
        api.post(`/v1/domains/${id}/records`, body, c.recordResponse),
      updateRecord: (id: string, recordId: string, body: In<typeof c.updateRecordBody>) =>
        api.patch(`/v1/domains/${id}/records/${recordId}`, body, c.recordResponse),
      removeRecord: (id: string, recordId: string) =>
        api.command('DELETE', `/v1/domains/${id}/records/${recordId}`),
    },
    billing: {
      prices: () => api.get('/v1/billing/prices', c.pricesResponse),
      balance: (projectId: string) =>
        api.get('/v1/billing/balance', c.balanceResponse, { project_id: projectId }),
      topup: (body: In<typeof c.topupBody>) => api.post('/v1/billing/topup', body, c.topupResponse),
      payments: (projectId: string) =>
        api.get('/v1/billing/payments', c.paymentListResponse, { project_id: projectId, ...page }),
      /** Every usage row of the window, across pages (a day has one per resource). */
      usage: async (projectId: string, from: string, to: string) => {
        const rows: z.output<typeof c.usageListResponse>['data'] = [];
        for (let n = 1; n <= 20; n += 1) {
          const { data, meta } = await api.get('/v1/billing/usage', c.usageListResponse, {
            project_id: projectId,
            from,
            to,
            page: n,
            ...page,
          });
          rows.push(...data);
          if (rows.length >= meta.total || data.length === 0) break;
        }
        return rows;
      },
    },
    admin: {
      coupons: () => api.get('/v1/admin/coupons', c.couponListResponse, page),
      createCoupon: (body: In<typeof c.createCouponBody>) =>
        api.post('/v1/admin/coupons', body, c.couponResponse),
      updateCoupon: (id: string, body: In<typeof c.updateCouponBody>) =>
        api.patch(`/v1/admin/coupons/${id}`, body, c.couponResponse),
      adjust: (projectId: string, body: In<typeof c.adjustmentBody>) =>
        api.post(`/v1/admin/projects/${projectId}/adjustments`, body, c.adjustmentResponse),
      users: (email?: string) =>
        api.get('/v1/admin/users', c.adminUserListResponse, { email, ...page }),
      disableUser: (id: string) =>
        api.post(`/v1/admin/users/${id}/disable`, {}, c.adminUserResponse),
      enableUser: (id: string) => api.post(`/v1/admin/users/${id}/enable`, {}, c.adminUserResponse),
      templates: () => api.get('/v1/admin/templates', c.adminTemplateListResponse, page),
      createTemplate: (body: In<typeof c.createTemplateBody>) =>
        api.post('/v1/admin/templates', body, c.adminTemplateResponse),
      updateTemplate: (id: string, body: In<typeof c.updateTemplateBody>) =>
        api.patch(`/v1/admin/templates/${id}`, body, c.adminTemplateResponse),
      removeTemplate: (id: string) => api.command('DELETE', `/v1/admin/templates/${id}`),
      sizes: () => api.get('/v1/admin/sizes', c.adminSizeListResponse, page),
      createSize: (body: In<typeof c.createSizeBody>) =>
        api.post('/v1/admin/sizes', body, c.adminSizeResponse),
      updateSize: (id: string, body: In<typeof c.updateSizeBody>) =>
        api.patch(`/v1/admin/sizes/${id}`, body, c.adminSizeResponse),
      removeSize: (id: string) => api.command('DELETE', `/v1/admin/sizes/${id}`),
      nodes: () => api.get('/v1/admin/nodes', c.nodeListResponse, page),
      createNode: (body: In<typeof c.createNodeBody>) =>
        api.post('/v1/admin/nodes', body, c.nodeResponse),
      updateNode: (id: string, body: In<typeof c.updateNodeBody>) =>
        api.patch(`/v1/admin/nodes/${id}`, body, c.nodeResponse),
      removeNode: (id: string) => api.command('DELETE', `/v1/admin/nodes/${id}`),
      ipPools: () => api.get('/v1/admin/ip-pools', c.ipPoolListResponse, page),
      createIpPool: (body: In<typeof c.createIpPoolBody>) =>
        api.post('/v1/admin/ip-pools', body, c.ipPoolResponse),
      updateIpPool: (id: string, body: In<typeof c.updateIpPoolBody>) =>
        api.patch(`/v1/admin/ip-pools/${id}`, body, c.ipPoolResponse),
      removeIpPool: (id: string) => api.command('DELETE', `/v1/admin/ip-pools/${id}`),
    },
  };
}

export type Endpoints = ReturnType<typeof endpoints>;

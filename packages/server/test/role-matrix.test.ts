import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '@swiftcloud/contracts';
import type { ApiClient } from './support/client.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { ADMIN_SETTINGS, signInAdmin } from './support/billing-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Who may do what on a project: every project endpoint against every kind of caller, each
 * cell on a project of its own so that no cell depends on another having run.
 */

let t: TestApp;
let owner: SignedUpUser;
let member: SignedUpUser;
let viewer: SignedUpUser;
let outsider: SignedUpUser;
/** A member of every fresh project, the one the member-management endpoints act on. */
let target: SignedUpUser;
/** Someone no fresh project holds yet, whom POST .../members adds. */
let newcomer: SignedUpUser;
let readKey: string;
let boundKey: string;
let boundProjectId: string;

/** A coupon with no redemption limit, for the top-up cells. */
const COUPON = 'MATRIX2024';

beforeAll(async () => {
  t = await startTestApp(ADMIN_SETTINGS);
  const admin = await signInAdmin(t);
  const coupon = await admin.post('/v1/admin/coupons', { code: COUPON, amount: '5.00' });
  expect(coupon.status).toBe(201);
  owner = await signUp(t.api, 'Owner');
  member = await signUp(t.api, 'Member');
  viewer = await signUp(t.api, 'Viewer');
  outsider = await signUp(t.api, 'Outsider');
  target = await signUp(t.api, 'Target');
  newcomer = await signUp(t.api, 'Newcomer');
  readKey = await createKey({ name: 'read only', scope: 'read' });
  const bound = await owner.api.post('/v1/projects', { name: 'The key project' });
  expect(bound.status).toBe(201);
  boundProjectId = bound.body.data.id;
  boundKey = await createKey({
    name: 'bound',
    scope: 'read_write',
    project_id: boundProjectId,
  });
});
afterAll(() => t.close());

async function createKey(body: Record<string, unknown>): Promise<string> {
  const res = await owner.api.post('/v1/api-keys', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.key;
}

/** A fresh project: owner, member, viewer and the target member. */
async function freshProject(): Promise<string> {
  const res = await owner.api.post('/v1/projects', { name: 'Matrix project' });
  expect(res.status).toBe(201);
  const id: string = res.body.data.id;
  for (const [user, role] of [
    [member, 'member'],
    [viewer, 'viewer'],
    [target, 'member'],
  ] as const) {
    const added = await owner.api.post(`/v1/projects/${id}/members`, { email: user.email, role });
    expect(added.status).toBe(201);
  }
  return id;
}

/** What the owner sees of the project and its members: refused calls must not change it. */
async function snapshot(projectId: string) {
  const [project, members] = await Promise.all([
    owner.api.get(`/v1/projects/${projectId}`),
    owner.api.get(`/v1/projects/${projectId}/members`),
  ]);
  return { project: project.body, members: members.body };
}

interface Endpoint {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: (projectId: string) => string;
  body?: (projectId: string) => unknown;
}

const ENDPOINTS = {
  getProject: {
    name: 'GET /v1/projects/{id}',
    method: 'GET',
    path: (id) => `/v1/projects/${id}`,
  },
  patchProject: {
    name: 'PATCH /v1/projects/{id}',
    method: 'PATCH',
    path: (id) => `/v1/projects/${id}`,
    body: () => ({ name: 'Renamed' }),
  },
  deleteProject: {
    name: 'DELETE /v1/projects/{id}',
    method: 'DELETE',
    path: (id) => `/v1/projects/${id}`,
  },
  listMembers: {
    name: 'GET /v1/projects/{id}/members',
    method: 'GET',
    path: (id) => `/v1/projects/${id}/members`,
  },
  addMember: {
    name: 'POST /v1/projects/{id}/members',
    method: 'POST',
    path: (id) => `/v1/projects/${id}/members`,
    body: () => ({ email: newcomer.email, role: 'viewer' }),
  },
  changeMember: {
    name: 'PATCH /v1/projects/{id}/members/{user_id}',
    method: 'PATCH',
    path: (id) => `/v1/projects/${id}/members/${target.id}`,
    body: () => ({ role: 'viewer' }),
  },
  removeMember: {
    name: 'DELETE /v1/projects/{id}/members/{user_id}',
    method: 'DELETE',
    path: (id) => `/v1/projects/${id}/members/${target.id}`,
  },
  billingBalance: {
    name: 'GET /v1/billing/balance',
    method: 'GET',
    path: (id) => `/v1/billing/balance?project_id=${id}`,
  },
  billingTopup: {
    name: 'POST /v1/billing/topup',
    method: 'POST',
    path: () => '/v1/billing/topup',
    body: (id) => ({ project_id: id, coupon_code: COUPON }),
  },
  billingPayments: {
    name: 'GET /v1/billing/payments',
    method: 'GET',
    path: (id) => `/v1/billing/payments?project_id=${id}`,
  },
  billingUsage: {
    name: 'GET /v1/billing/usage',
    method: 'GET',
    path: (id) => `/v1/billing/usage?project_id=${id}`,
  },
  billingEvents: {
    name: 'GET /v1/billing/events',
    method: 'GET',
    path: (id) => `/v1/billing/events?project_id=${id}`,
  },
} satisfies Record<string, Endpoint>;

type EndpointKey = keyof typeof ENDPOINTS;
type Caller = 'owner' | 'member' | 'viewer' | 'non-member' | 'anonymous';

const EXPECTED: Record<EndpointKey, Record<Caller, number>> = {
  getProject: { owner: 200, member: 200, viewer: 200, 'non-member': 404, anonymous: 401 },
  patchProject: { owner: 200, member: 200, viewer: 403, 'non-member': 404, anonymous: 401 },
  deleteProject: { owner: 204, member: 403, viewer: 403, 'non-member': 404, anonymous: 401 },
  listMembers: { owner: 200, member: 200, viewer: 200, 'non-member': 404, anonymous: 401 },
  addMember: { owner: 201, member: 403, viewer: 403, 'non-member': 404, anonymous: 401 },
  changeMember: { owner: 200, member: 403, viewer: 403, 'non-member': 404, anonymous: 401 },
  removeMember: { owner: 204, member: 403, viewer: 403, 'non-member': 404, anonymous: 401 },
  // Billing: owners top up and read everything, members read, viewers see the balance only.
  billingBalance: { owner: 200, member: 200, viewer: 200, 'non-member': 404, anonymous: 401 },
  billingTopup: { owner: 201, member: 403, viewer: 403, 'non-member': 404, anonymous: 401 },
  billingPayments: { owner: 200, member: 200, viewer: 403, 'non-member': 404, anonymous: 401 },
  billingUsage: { owner: 200, member: 200, viewer: 403, 'non-member': 404, anonymous: 401 },
  billingEvents: { owner: 200, member: 200, viewer: 403, 'non-member': 404, anonymous: 401 },
};

function clientFor(caller: Caller): ApiClient {
  switch (caller) {
    case 'owner':
      return owner.api;
    case 'member':
      return member.api;
    case 'viewer':
      return viewer.api;
    case 'non-member':
      return outsider.api;
    case 'anonymous':
      return t.api;
  }
}

function call(client: ApiClient, endpoint: Endpoint, projectId: string) {
  return client.request(endpoint.method, endpoint.path(projectId), {
    ...(endpoint.body ? { body: endpoint.body(projectId) } : {}),
  });
}

const CODE_OF_STATUS = Object.fromEntries(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

/** Runs one cell: the status it must answer, and for a refusal, that nothing changed. */
async function expectCell(client: ApiClient, endpoint: Endpoint, status: number) {
  const projectId = await freshProject();
  const before = await snapshot(projectId);
  const res = await call(client, endpoint, projectId);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (status >= 400) {
    expect(res.body.error.code).toBe(CODE_OF_STATUS[status]);
    expect(await snapshot(projectId)).toEqual(before);
  }
  return { projectId, res };
}

const CELLS = (Object.keys(EXPECTED) as EndpointKey[]).flatMap((key) =>
  (Object.keys(EXPECTED[key]) as Caller[]).map(
    (caller) => [ENDPOINTS[key].name, caller, EXPECTED[key][caller], key] as const,
  ),
);

describe('project endpoints by caller role', () => {
  it.each(CELLS)('%s as %s answers %i', async (_name, caller, status, key) => {
    await expectCell(clientFor(caller), ENDPOINTS[key], status);
  });
});

describe('what the allowed calls did', () => {
  it("an owner's top-up credits the project and shows in its payments", async () => {
    const { projectId } = await expectCell(owner.api, ENDPOINTS.billingTopup, 201);
    expect((await snapshot(projectId)).project.data.balance).toBe('5.00');
    const payments = await member.api.get(`/v1/billing/payments?project_id=${projectId}`);
    expect(payments.body.data.map((p: { reference: string }) => p.reference)).toEqual([COUPON]);
  });

  it('an owner deleting the project removes it', async () => {
    const { projectId } = await expectCell(owner.api, ENDPOINTS.deleteProject, 204);
    expect((await owner.api.get(`/v1/projects/${projectId}`)).status).toBe(404);
  });

  it.each(['owner', 'member'] as const)('a rename by the %s takes effect', async (caller) => {
    const { projectId } = await expectCell(clientFor(caller), ENDPOINTS.patchProject, 200);
    expect((await snapshot(projectId)).project.data.name).toBe('Renamed');
  });

  it('an owner adding, changing and removing members does so', async () => {
    const added = await expectCell(owner.api, ENDPOINTS.addMember, 201);
    const afterAdd = (await snapshot(added.projectId)).members.data;
    expect(afterAdd.find((m: { userId: string }) => m.userId === newcomer.id)?.role).toBe('viewer');

    const changed = await expectCell(owner.api, ENDPOINTS.changeMember, 200);
    const afterChange = (await snapshot(changed.projectId)).members.data;
    expect(afterChange.find((m: { userId: string }) => m.userId === target.id)?.role).toBe(
      'viewer',
    );

    const removed = await expectCell(owner.api, ENDPOINTS.removeMember, 204);
    const afterRemove = (await snapshot(removed.projectId)).members.data;
    expect(afterRemove.map((m: { userId: string }) => m.userId)).not.toContain(target.id);
  });
});

const KEY_CELLS = (Object.keys(ENDPOINTS) as EndpointKey[]).map((key) => {
  const write = ENDPOINTS[key].method !== 'GET';
  return [ENDPOINTS[key].name, write ? 403 : 200, key] as const;
});

describe("the owner's read-scoped API key", () => {
  it.each(KEY_CELLS)('%s answers %i', async (_name, status, key) => {
    await expectCell(t.api.as(readKey), ENDPOINTS[key], status);
  });
});

describe('an API key bound to another project', () => {
  it.each(KEY_CELLS.map(([name, , key]) => [name, key] as const))(
    '%s answers 404 on another project the owner holds',
    async (_name, key) => {
      await expectCell(t.api.as(boundKey), ENDPOINTS[key], 404);
    },
  );

  it('still reaches the project it is bound to', async () => {
    const res = await t.api.as(boundKey).get(`/v1/projects/${boundProjectId}`);
    expect(res.status).toBe(200);
    expect(res.body.data.role).toBe('owner');
  });
});

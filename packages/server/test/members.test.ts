import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let t: TestApp;
let ada: SignedUpUser;
let bea: SignedUpUser;
let cleo: SignedUpUser;
/** An account disabled straight in the database, as an operator would have done. */
let gone: SignedUpUser;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.api, 'Ada');
  bea = await signUp(t.api, 'Bea');
  cleo = await signUp(t.api, 'Cleo');
  gone = await signUp(t.api, 'Gone');
  await t.database.db
    .updateTable('users')
    .set({ disabled_at: t.clock.now() })
    .where('id', '=', gone.id)
    .execute();
});
afterAll(() => t.close());

/** A fresh project owned by Ada. */
async function newProject(): Promise<string> {
  const res = await ada.api.post('/v1/projects', { name: 'Team project' });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function addMember(
  projectId: string,
  user: SignedUpUser,
  role: 'owner' | 'member' | 'viewer',
  by: SignedUpUser = ada,
) {
  const res = await by.api.post(`/v1/projects/${projectId}/members`, { email: user.email, role });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** Each member's role, keyed by user id, as the owner's member list shows it. */
async function rolesIn(projectId: string, viewer: SignedUpUser = ada) {
  const res = await viewer.api.get(`/v1/projects/${projectId}/members`);
  expect(res.status).toBe(200);
  return Object.fromEntries(
    res.body.data.map((m: { userId: string; role: string }) => [m.userId, m.role]),
  );
}

describe('adding members', () => {
  it('adds a member by email and answers the member', async () => {
    const projectId = await newProject();
    t.clock.advance(1500);
    const res = await ada.api.post(`/v1/projects/${projectId}/members`, {
      email: bea.email,
      role: 'member',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        userId: bea.id,
        email: bea.email,
        name: 'Bea',
        role: 'member',
        createdAt: t.clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
      },
    });
    expect(res.body.data.createdAt).toMatch(RFC3339_SECONDS);
  });

  it('lists members oldest first, and the new member sees the project with their role', async () => {
    const projectId = await newProject();
    t.clock.advance(1000);
    await addMember(projectId, bea, 'viewer');
    const list = await ada.api.get(`/v1/projects/${projectId}/members`);
    expect(list.status).toBe(200);
    expect(list.body.meta).toEqual({ page: 1, perPage: 20, total: 2 });
    expect(list.body.data.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [ada.email, 'owner'],
      [bea.email, 'viewer'],
    ]);
    const seen = await bea.api.get(`/v1/projects/${projectId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.data.role).toBe('viewer');
  });

  it('finds the account whatever the case and padding of the email', async () => {
    const projectId = await newProject();
    const res = await ada.api.post(`/v1/projects/${projectId}/members`, {
      email: `  ${bea.email.toUpperCase()} `,
      role: 'member',
    });
    expect(res.status).toBe(201);
    expect(res.body.data.userId).toBe(bea.id);
  });

  it.each([
    ['no account uses', () => 'nobody-here@example.co.zm'],
    ['only a disabled account uses', () => gone.email],
  ])('refuses an email that %s on field email', async (_label, email) => {
    const projectId = await newProject();
    const res = await ada.api.post(`/v1/projects/${projectId}/members`, {
      email: email(),
      role: 'member',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([{ field: 'email', message: expect.any(String) }]);
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner' });
  });

  it.each([
    ['a role that does not exist', { role: 'admin' }, 'role'],
    ['no role', { role: undefined }, 'role'],
    ['an address that is not an email', { email: 'not-an-email' }, 'email'],
    ['an unknown field', { note: 'hi' }, 'note'],
  ])('refuses %s on its field', async (_label, change, field) => {
    const projectId = await newProject();
    const body = { email: bea.email, role: 'member', ...change };
    const res = await ada.api.post(`/v1/projects/${projectId}/members`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner' });
  });

  it('refuses someone who is already a member with CONFLICT and keeps their role', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'viewer');
    const again = await ada.api.post(`/v1/projects/${projectId}/members`, {
      email: bea.email,
      role: 'owner',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const self = await ada.api.post(`/v1/projects/${projectId}/members`, {
      email: ada.email,
      role: 'viewer',
    });
    expect(self.status).toBe(409);
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner', [bea.id]: 'viewer' });
  });
});

describe('changing roles and removing members', () => {
  it("changes a member's role, which then governs what they may do", async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'member');
    expect((await bea.api.patch(`/v1/projects/${projectId}`, { name: 'By Bea' })).status).toBe(200);

    const res = await ada.api.patch(`/v1/projects/${projectId}/members/${bea.id}`, {
      role: 'viewer',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ userId: bea.id, email: bea.email, role: 'viewer' });
    expect((await bea.api.get(`/v1/projects/${projectId}`)).body.data.role).toBe('viewer');
    const refused = await bea.api.patch(`/v1/projects/${projectId}`, { name: 'By Bea again' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND when changing the role of someone who is not a member', async () => {
    const projectId = await newProject();
    const res = await ada.api.patch(`/v1/projects/${projectId}/members/${cleo.id}`, {
      role: 'viewer',
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner' });
  });

  it('refuses a role change with an unknown role on field role', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'member');
    const res = await ada.api.patch(`/v1/projects/${projectId}/members/${bea.id}`, {
      role: 'superuser',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['role']);
  });

  it('removes a member, who then no longer sees the project', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'member');
    const res = await ada.api.delete(`/v1/projects/${projectId}/members/${bea.id}`);
    expect(res.status).toBe(204);
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner' });
    expect((await bea.api.get(`/v1/projects/${projectId}`)).status).toBe(404);
    const list = await bea.api.get('/v1/projects?per_page=100');
    expect(list.body.data.map((p: { id: string }) => p.id)).not.toContain(projectId);
    expect((await ada.api.delete(`/v1/projects/${projectId}/members/${bea.id}`)).status).toBe(404);
  });

  it.each(['member', 'viewer'] as const)('lets a %s leave on their own', async (role) => {
    const projectId = await newProject();
    await addMember(projectId, bea, role);
    const res = await bea.api.delete(`/v1/projects/${projectId}/members/${bea.id}`);
    expect(res.status).toBe(204);
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner' });
    expect((await bea.api.get(`/v1/projects/${projectId}`)).status).toBe(404);
  });

  it('does not let a member remove someone else', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'member');
    await addMember(projectId, cleo, 'viewer');
    const res = await bea.api.delete(`/v1/projects/${projectId}/members/${cleo.id}`);
    expect(res.status).toBe(403);
    expect(await rolesIn(projectId)).toEqual({
      [ada.id]: 'owner',
      [bea.id]: 'member',
      [cleo.id]: 'viewer',
    });
  });
});

describe('the last owner', () => {
  it.each(['member', 'viewer'] as const)('cannot be demoted to %s', async (role) => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'member');
    const res = await ada.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, { role });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner', [bea.id]: 'member' });
  });

  it('cannot leave or be removed', async () => {
    const projectId = await newProject();
    const res = await ada.api.delete(`/v1/projects/${projectId}/members/${ada.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'owner' });
    expect((await ada.api.get(`/v1/projects/${projectId}`)).status).toBe(200);
  });

  it('may be re-confirmed as owner', async () => {
    const projectId = await newProject();
    const res = await ada.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, {
      role: 'owner',
    });
    expect(res.status).toBe(200);
    expect(res.body.data.role).toBe('owner');
  });

  it('can step down once another owner exists', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'owner');
    const res = await ada.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, {
      role: 'viewer',
    });
    expect(res.status).toBe(200);
    expect(res.body.data.role).toBe('viewer');
    expect(await rolesIn(projectId)).toEqual({ [ada.id]: 'viewer', [bea.id]: 'owner' });
    // Bea is now the only owner, and the same protection holds for her.
    const beaDemotes = await bea.api.patch(`/v1/projects/${projectId}/members/${bea.id}`, {
      role: 'member',
    });
    expect(beaDemotes.status).toBe(409);
  });

  it('can leave once another owner exists', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'owner');
    const res = await ada.api.delete(`/v1/projects/${projectId}/members/${ada.id}`);
    expect(res.status).toBe(204);
    expect(await rolesIn(projectId, bea)).toEqual({ [bea.id]: 'owner' });
    expect((await ada.api.get(`/v1/projects/${projectId}`)).status).toBe(404);
  });

  it('can be removed by another owner', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'owner');
    const res = await bea.api.delete(`/v1/projects/${projectId}/members/${ada.id}`);
    expect(res.status).toBe(204);
    expect(await rolesIn(projectId, bea)).toEqual({ [bea.id]: 'owner' });
  });
});

describe('two owners', () => {
  it('lets one owner demote the other, who then may no longer manage members', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'owner');
    const res = await bea.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, {
      role: 'member',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ userId: ada.id, role: 'member' });
    expect(await rolesIn(projectId, bea)).toEqual({ [ada.id]: 'member', [bea.id]: 'owner' });

    const adaAdds = await ada.api.post(`/v1/projects/${projectId}/members`, {
      email: cleo.email,
      role: 'viewer',
    });
    expect(adaAdds.status).toBe(403);
    const adaPromotes = await ada.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, {
      role: 'owner',
    });
    expect(adaPromotes.status).toBe(403);
  });

  it('keep one owner when both try to step down, one after the other', async () => {
    const projectId = await newProject();
    await addMember(projectId, bea, 'owner');
    const first = await ada.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, {
      role: 'member',
    });
    const second = await bea.api.patch(`/v1/projects/${projectId}/members/${bea.id}`, {
      role: 'member',
    });
    expect([first.status, second.status]).toEqual([200, 409]);
    expect(await rolesIn(projectId, bea)).toEqual({ [ada.id]: 'member', [bea.id]: 'owner' });
  });

  it('keep one owner when both step down at the same moment', async () => {
    // The race is narrow; many rounds make a missing lock show up.
    const rounds = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const projectId = await newProject();
        await addMember(projectId, bea, 'owner');
        const results = await Promise.all([
          ada.api.patch(`/v1/projects/${projectId}/members/${ada.id}`, { role: 'member' }),
          bea.api.patch(`/v1/projects/${projectId}/members/${bea.id}`, { role: 'member' }),
        ]);
        const roles = Object.values(await rolesIn(projectId));
        return {
          statuses: results.map((r) => r.status).sort(),
          owners: roles.filter((r) => r === 'owner').length,
        };
      }),
    );
    for (const round of rounds) expect(round).toEqual({ statuses: [200, 409], owners: 1 });
  });
});

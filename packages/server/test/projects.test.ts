import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MISSING_ID = '3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c';

let t: TestApp;
let ada: SignedUpUser;
let bea: SignedUpUser;
/** Holds exactly the projects the pagination tests create, so totals are known. */
let pager: SignedUpUser;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.api, 'Ada');
  bea = await signUp(t.api, 'Bea');
  pager = await signUp(t.api, 'Pager');
});
afterAll(() => t.close());

/** The API's rendering of the manual clock's current time: whole seconds, UTC. */
function nowInApi(): string {
  return t.clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

async function createProject(
  user: SignedUpUser,
  body: Record<string, unknown> = { name: 'Lusaka shop' },
) {
  const res = await user.api.post('/v1/projects', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function projectCount(user: SignedUpUser): Promise<number> {
  const res = await user.api.get('/v1/projects');
  expect(res.status).toBe(200);
  return res.body.meta.total;
}

async function setBalance(projectId: string, ngwee: number): Promise<void> {
  await t.database.db
    .updateTable('projects')
    .set({ balance_ngwee: ngwee })
    .where('id', '=', projectId)
    .execute();
}

function expectValidationError(res: { status: number; body: any }, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

describe('POST /v1/projects', () => {
  it('creates a project with exactly the reference fields plus the caller role owner', async () => {
    // Off a whole second, so a timestamp that kept its milliseconds would show.
    t.clock.advance(1234);
    const res = await ada.api.post('/v1/projects', {
      name: 'New Project',
      description: 'Optional description',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.stringMatching(UUID),
        name: 'New Project',
        description: 'Optional description',
        createdAt: nowInApi(),
        resourceCount: 0,
        balance: '0.00',
        currency: 'ZMW',
        role: 'owner',
      },
    });
    expect(res.body.data.createdAt).toMatch(RFC3339_SECONDS);
  });

  it('stores an empty description when none is sent', async () => {
    const project = await createProject(ada, { name: 'No description' });
    expect(project.description).toBe('');
  });

  it('trims the name and the description', async () => {
    const project = await createProject(ada, {
      name: '  Kitwe branch \n',
      description: '\t Our second shop  ',
    });
    expect(project.name).toBe('Kitwe branch');
    expect(project.description).toBe('Our second shop');
    const fetched = await ada.api.get(`/v1/projects/${project.id}`);
    expect(fetched.body.data.name).toBe('Kitwe branch');
  });

  it('accepts a 64-character name and refuses a 65-character one on field name', async () => {
    const project = await createProject(ada, { name: 'n'.repeat(64) });
    expect(project.name).toBe('n'.repeat(64));
    expectValidationError(await ada.api.post('/v1/projects', { name: 'n'.repeat(65) }), 'name');
  });

  it('counts the length after trimming, so padding does not push a name over 64', async () => {
    const project = await createProject(ada, { name: `  ${'p'.repeat(64)}  ` });
    expect(project.name).toBe('p'.repeat(64));
  });

  it.each([
    ['empty', ''],
    ['spaces only', '    '],
    ['whitespace only', ' \t\n '],
  ])('refuses a name that is %s on field name', async (_label, name) => {
    const before = await projectCount(ada);
    expectValidationError(await ada.api.post('/v1/projects', { name }), 'name');
    expect(await projectCount(ada)).toBe(before);
  });

  it('refuses a body without a name on field name', async () => {
    expectValidationError(await ada.api.post('/v1/projects', { description: 'x' }), 'name');
  });

  it('accepts a 500-character description and refuses 501 on field description', async () => {
    const project = await createProject(ada, { name: 'Long', description: 'd'.repeat(500) });
    expect(project.description).toHaveLength(500);
    expectValidationError(
      await ada.api.post('/v1/projects', { name: 'Longer', description: 'd'.repeat(501) }),
      'description',
    );
  });

  it('refuses an unknown body field, names it, and creates nothing', async () => {
    const before = await projectCount(ada);
    const res = await ada.api.post('/v1/projects', { name: 'Typo', descripton: 'misspelt' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([
      { field: 'descripton', message: expect.stringContaining('descripton') },
    ]);
    expect(res.body.error.message).toContain('descripton');
    expect(await projectCount(ada)).toBe(before);
  });
});

describe('GET /v1/projects', () => {
  const created: { id: string; name: string }[] = [];

  beforeAll(async () => {
    for (let i = 1; i <= 25; i++) {
      t.clock.advance(1000);
      created.push(await createProject(pager, { name: `Project ${i}` }));
    }
  });

  it('lists projects newest first with the reference fields and the caller role', async () => {
    const res = await pager.api.get('/v1/projects');
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toEqual({
      id: created[24]!.id,
      name: 'Project 25',
      description: '',
      createdAt: expect.stringMatching(RFC3339_SECONDS),
      resourceCount: 0,
      balance: '0.00',
      currency: 'ZMW',
      role: 'owner',
    });
    expect(res.body.data.map((p: { name: string }) => p.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `Project ${25 - i}`),
    );
  });

  it('pages 20 at a time by default and tells the total', async () => {
    const res = await pager.api.get('/v1/projects');
    expect(res.body.data).toHaveLength(20);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 25 });
  });

  it('walks every project exactly once across pages', async () => {
    const first = await pager.api.get('/v1/projects?page=1&per_page=10');
    const second = await pager.api.get('/v1/projects?page=2&per_page=10');
    const third = await pager.api.get('/v1/projects?page=3&per_page=10');
    expect(first.body.meta).toEqual({ page: 1, perPage: 10, total: 25 });
    expect(second.body.meta).toEqual({ page: 2, perPage: 10, total: 25 });
    expect(third.body.meta).toEqual({ page: 3, perPage: 10, total: 25 });
    expect(third.body.data).toHaveLength(5);
    const ids = [...first.body.data, ...second.body.data, ...third.body.data].map(
      (p: { id: string }) => p.id,
    );
    expect(ids).toEqual(created.map((p) => p.id).reverse());
  });

  it('allows per_page up to 100', async () => {
    const res = await pager.api.get('/v1/projects?per_page=100');
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(25);
    expect(res.body.meta).toEqual({ page: 1, perPage: 100, total: 25 });
  });

  it.each([
    ['per_page=101', 'per_page'],
    ['per_page=0', 'per_page'],
    ['per_page=ten', 'per_page'],
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=1.5', 'page'],
  ])('refuses %s on field %s', async (query, field) => {
    expectValidationError(await pager.api.get(`/v1/projects?${query}`), field);
  });

  it('answers an empty page with the true total past the end', async () => {
    const res = await pager.api.get('/v1/projects?page=4&per_page=10');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], meta: { page: 4, perPage: 10, total: 25 } });
  });

  it('shows each user only the projects they belong to', async () => {
    const adas = await createProject(ada, { name: 'Ada only' });
    const beas = await createProject(bea, { name: 'Bea only' });
    const seenByBea = await bea.api.get('/v1/projects?per_page=100');
    const ids = seenByBea.body.data.map((p: { id: string }) => p.id);
    expect(ids).toContain(beas.id);
    expect(ids).not.toContain(adas.id);
    expect(seenByBea.body.meta.total).toBe(ids.length);
    const seenByPager = await pager.api.get('/v1/projects?per_page=100');
    expect(seenByPager.body.meta.total).toBe(25);
  });
});

describe('GET /v1/projects/{id}', () => {
  it('answers the project as it was created', async () => {
    const project = await createProject(ada, { name: 'Ndola', description: 'Depot' });
    const res = await ada.api.get(`/v1/projects/${project.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: project });
  });

  it("hides another user's project as NOT_FOUND", async () => {
    const project = await createProject(ada, { name: 'Private' });
    const res = await bea.api.get(`/v1/projects/${project.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND for an id no project has', async () => {
    const res = await ada.api.get(`/v1/projects/${MISSING_ID}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('refuses an id that is not a UUID on field id', async () => {
    expectValidationError(await ada.api.get('/v1/projects/not-a-uuid'), 'id');
  });
});

describe('PATCH /v1/projects/{id}', () => {
  it('renames a project and keeps its description', async () => {
    const project = await createProject(ada, { name: 'Old', description: 'Kept' });
    const res = await ada.api.patch(`/v1/projects/${project.id}`, { name: '  New  ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { ...project, name: 'New' } });
    const fetched = await ada.api.get(`/v1/projects/${project.id}`);
    expect(fetched.body.data.name).toBe('New');
  });

  it('changes only the description when only it is sent', async () => {
    const project = await createProject(ada, { name: 'Same', description: 'Before' });
    const res = await ada.api.patch(`/v1/projects/${project.id}`, { description: 'After' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ...project, description: 'After' });
  });

  it('clears the description with an empty string', async () => {
    const project = await createProject(ada, { name: 'Clear', description: 'Something' });
    const res = await ada.api.patch(`/v1/projects/${project.id}`, { description: '' });
    expect(res.status).toBe(200);
    expect(res.body.data.description).toBe('');
  });

  it('refuses an empty JSON object and a missing body on field body', async () => {
    const project = await createProject(ada);
    expectValidationError(await ada.api.patch(`/v1/projects/${project.id}`, {}), 'body');
    expectValidationError(await ada.api.patch(`/v1/projects/${project.id}`), 'body');
    expect((await ada.api.get(`/v1/projects/${project.id}`)).body.data).toEqual(project);
  });

  it.each([
    ['a whitespace-only name', { name: '   ' }, 'name'],
    ['a 65-character name', { name: 'n'.repeat(65) }, 'name'],
    ['a 501-character description', { description: 'd'.repeat(501) }, 'description'],
    ['an unknown field', { name: 'Fine', colour: 'blue' }, 'colour'],
  ])('refuses %s on its field and changes nothing', async (_label, body, field) => {
    const project = await createProject(ada, { name: 'Untouched', description: 'As is' });
    expectValidationError(await ada.api.patch(`/v1/projects/${project.id}`, body), field);
    const fetched = await ada.api.get(`/v1/projects/${project.id}`);
    expect(fetched.body.data).toEqual(project);
  });

  it("cannot touch another user's project", async () => {
    const project = await createProject(ada, { name: 'Mine' });
    const res = await bea.api.patch(`/v1/projects/${project.id}`, { name: 'Stolen' });
    expect(res.status).toBe(404);
    const fetched = await ada.api.get(`/v1/projects/${project.id}`);
    expect(fetched.body.data.name).toBe('Mine');
  });
});

describe('DELETE /v1/projects/{id}', () => {
  it('deletes an empty project, which then is gone from get and list', async () => {
    const project = await createProject(ada, { name: 'Short lived' });
    const res = await ada.api.delete(`/v1/projects/${project.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect((await ada.api.get(`/v1/projects/${project.id}`)).status).toBe(404);
    const list = await ada.api.get('/v1/projects?per_page=100');
    expect(list.body.data.map((p: { id: string }) => p.id)).not.toContain(project.id);
    expect((await ada.api.delete(`/v1/projects/${project.id}`)).status).toBe(404);
  });

  it.each([
    ['a positive balance', 5000, '50.00'],
    ['a negative balance', -1, '-0.01'],
  ])(
    'refuses with CONFLICT while the project holds %s, and deletes once it is zero',
    async (_label, ngwee, shown) => {
      const project = await createProject(ada, { name: 'Has money' });
      await setBalance(project.id, ngwee);
      expect((await ada.api.get(`/v1/projects/${project.id}`)).body.data.balance).toBe(shown);

      const refused = await ada.api.delete(`/v1/projects/${project.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('CONFLICT');
      expect(refused.body.error.message).toContain(shown);
      expect((await ada.api.get(`/v1/projects/${project.id}`)).status).toBe(200);

      await setBalance(project.id, 0);
      expect((await ada.api.delete(`/v1/projects/${project.id}`)).status).toBe(204);
      expect((await ada.api.get(`/v1/projects/${project.id}`)).status).toBe(404);
    },
  );

  it("cannot delete another user's project", async () => {
    const project = await createProject(ada, { name: 'Keep me' });
    const res = await bea.api.delete(`/v1/projects/${project.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await ada.api.get(`/v1/projects/${project.id}`)).status).toBe(200);
  });

  it('answers NOT_FOUND for an id no project has', async () => {
    const res = await ada.api.delete(`/v1/projects/${MISSING_ID}`);
    expect(res.status).toBe(404);
  });
});

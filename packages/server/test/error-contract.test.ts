import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type ApiResponse, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let t: TestApp;
let ada: SignedUpUser;
let projectId: string;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.api, 'Ada');
  const created = await ada.api.post('/v1/projects', { name: 'Error contract' });
  expect(created.status).toBe(201);
  projectId = created.body.data.id;
});
afterAll(() => t.close());

/** The error envelope, exactly: `{error: {code, message, details: [{field, message}]}}` and nothing else. */
function expectEnvelope(res: ApiResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(res.body.error.details)).toBe(true);
  for (const d of res.body.error.details) {
    expect(Object.keys(d).sort()).toEqual(['field', 'message']);
    expect(typeof d.field).toBe('string');
    expect(typeof d.message).toBe('string');
  }
  expectNoInternals(res);
}

/** No stack frames, SQL or driver wording in anything a client reads. */
function expectNoInternals(res: ApiResponse): void {
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|\n\s+at |\.ts:\d+|\.js:\d+|node_modules/);
  expect(text).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE FROM)\b|\brelation "|syntax error at/);
}

function expectValidation(res: ApiResponse, fields: string[]): void {
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
}

describe('malformed and missing bodies', () => {
  it('answers malformed JSON with 400 VALIDATION_ERROR on the field body', async () => {
    const res = await ada.api.request('POST', '/v1/projects', {
      rawBody: '{"name": "Lusaka",',
      headers: { 'content-type': 'application/json' },
    });
    expectValidation(res, ['body']);
  });

  it('answers an empty JSON body with 400 VALIDATION_ERROR on the field body', async () => {
    const res = await ada.api.request('POST', '/v1/projects', {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expectValidation(res, ['body']);
  });

  it('answers a JSON value that is not an object with 400 on the field body', async () => {
    for (const rawBody of ['[]', '"Lusaka"', '42', 'null']) {
      const res = await ada.api.request('POST', '/v1/projects', {
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expectValidation(res, ['body']);
    }
  });

  it('names a missing required field', async () => {
    const res = await ada.api.post('/v1/projects', {});
    expectValidation(res, ['name']);
    expect(res.body.error.message).toContain('name');
  });
});

describe('field values', () => {
  it('names the field that has the wrong type', async () => {
    const res = await ada.api.post('/v1/projects', { name: 12345 });
    expectValidation(res, ['name']);
    const patch = await ada.api.patch(`/v1/projects/${projectId}`, { description: ['a'] });
    expectValidation(patch, ['description']);
  });

  it('refuses an overlong string, naming the field', async () => {
    const res = await ada.api.post('/v1/projects', { name: 'x'.repeat(65) });
    expectValidation(res, ['name']);
    expect(res.body.error.details[0].message).toMatch(/at most 64/);
    const description = await ada.api.post('/v1/projects', {
      name: 'ok',
      description: 'd'.repeat(501),
    });
    expectValidation(description, ['description']);
  });

  it('says "must not be null" for a null where a value is required', async () => {
    const res = await ada.api.post('/v1/projects', { name: null });
    expectValidation(res, ['name']);
    expect(res.body.error.details[0].message).toBe('name must not be null');
  });

  it('names every unknown body field instead of dropping it', async () => {
    const res = await ada.api.post('/v1/projects', {
      name: 'Typo',
      sshkey: 'ssh-ed25519 AAAA',
      colour: 'blue',
    });
    expectValidation(res, ['sshkey', 'colour']);
    const list = await ada.api.get('/v1/projects');
    expect(list.body.data.map((p: { name: string }) => p.name)).not.toContain('Typo');
  });
});

describe('query numbers', () => {
  it.each([
    ['per_page=1e400', 'per_page'],
    ['per_page=99999999999999999999', 'per_page'],
    ['page=99999999999999999999', 'page'],
    ['page=1e400', 'page'],
    ['page=-1', 'page'],
    ['page=0', 'page'],
    ['per_page=0', 'per_page'],
    ['per_page=101', 'per_page'],
    ['per_page=2.5', 'per_page'],
    ['page=NaN', 'page'],
    ['per_page=abc', 'per_page'],
  ])('answers %s with 400 naming %s', async (query, field) => {
    const res = await ada.api.get(`/v1/projects?${query}`);
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    // A value can break more than one rule (not a safe whole number and past the maximum).
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields.length).toBeGreaterThan(0);
    expect(new Set(fields)).toEqual(new Set([field]));
  });

  it('accepts the largest page size and ignores unknown query parameters', async () => {
    const res = await ada.api.get('/v1/projects?per_page=100&page=1&colour=blue');
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, perPage: 100, total: 1 });
  });
});

describe('ids in paths', () => {
  it.each([
    ['GET', '/v1/projects/not-a-uuid'],
    ['GET', "/v1/projects/1'%20OR%20'1'='1"],
    ['GET', '/v1/projects/12345678-1234-1234-1234-1234567890123'],
    ['PATCH', '/v1/projects/abc'],
    ['DELETE', '/v1/projects/abc'],
    ['DELETE', '/v1/api-keys/42'],
  ])('%s %s answers 400 naming the field id, not 500', async (method, path) => {
    const res = await ada.api.request(method, path, {
      ...(method === 'PATCH' ? { body: { name: 'x' } } : {}),
    });
    expectValidation(res, ['id']);
  });

  it('names user_id when the member id in the path is not a UUID', async () => {
    const res = await ada.api.delete(`/v1/projects/${projectId}/members/nobody`);
    expectValidation(res, ['user_id']);
  });

  it('answers a well-formed id that does not exist with 404', async () => {
    const res = await ada.api.get(`/v1/projects/${MISSING_ID}`);
    expectEnvelope(res, 404, 'NOT_FOUND');
  });
});

describe('unicode tricks in names', () => {
  it.each([
    ['a right-to-left override', 'invoice\u202Efdp.exe'],
    ['a zero-width space', 'Lu\u200Bsaka'],
    ['a control character', 'bell\u0007'],
    ['a newline inside', 'two\nlines'],
    ['a zero-width no-break space inside', 'Lu\uFEFFsaka'],
    ['a left-to-right isolate', 'a\u2066b'],
    ['a C1 control character', 'a\u0085b'],
  ])('refuses a name with %s, naming the field', async (_what, name) => {
    const res = await ada.api.post('/v1/projects', { name });
    expectValidation(res, ['name']);
  });

  it('stores names NFC-normalised and trimmed', async () => {
    const res = await ada.api.post('/v1/projects', { name: '  Cafe\u0301 Lusaka  ' });
    expect(res.status).toBe(201);
    expect(res.body.data.name).toBe('Caf\u00e9 Lusaka');
    const fetched = await ada.api.get(`/v1/projects/${res.body.data.id}`);
    expect(fetched.body.data.name).toBe('Caf\u00e9 Lusaka');
    const deleted = await ada.api.delete(`/v1/projects/${res.body.data.id}`);
    expect(deleted.status).toBe(204);
  });

  it('refuses a name that is only whitespace as empty', async () => {
    const res = await ada.api.post('/v1/projects', { name: '   ' });
    expectValidation(res, ['name']);
  });
});

describe('content types and sizes', () => {
  it('answers a text/plain body with 415 VALIDATION_ERROR on the field body', async () => {
    const res = await ada.api.request('POST', '/v1/projects', {
      rawBody: '{"name":"Plain"}',
      headers: { 'content-type': 'text/plain' },
    });
    expectEnvelope(res, 415, 'VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([{ field: 'body', message: expect.any(String) }]);
  });

  it('answers a form body with 415', async () => {
    const res = await ada.api.request('POST', '/v1/projects', {
      rawBody: 'name=Form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectEnvelope(res, 415, 'VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body']);
  });

  it('answers a body over 1 MiB with 413 VALIDATION_ERROR on the field body', async () => {
    const rawBody = JSON.stringify({ name: 'Big', description: 'x'.repeat(1024 * 1024) });
    const res = await ada.api.request('POST', '/v1/projects', {
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(res, 413, 'VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body']);
  });

  it('accepts application/json with a charset', async () => {
    const res = await ada.api.request('POST', '/v1/projects', {
      rawBody: JSON.stringify({ name: 'Charset' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(201);
    await ada.api.delete(`/v1/projects/${res.body.data.id}`);
  });
});

describe('unknown routes and the envelope', () => {
  it('answers an unknown route with 404 NOT_FOUND in the envelope', async () => {
    const res = await ada.api.get('/v1/no-such-thing');
    expectEnvelope(res, 404, 'NOT_FOUND');
    expect(res.body.error.details).toEqual([]);
    const anonymous = await t.api.post('/nowhere', { a: 1 });
    expectEnvelope(anonymous, 404, 'NOT_FOUND');
  });

  it('answers anonymous calls with 401 UNAUTHORIZED in the envelope', async () => {
    expectEnvelope(await t.api.get('/v1/projects'), 401, 'UNAUTHORIZED');
    expectEnvelope(
      await t.api.with({ authorization: 'Basic abc' }).get('/v1/projects'),
      401,
      'UNAUTHORIZED',
    );
  });
});

describe('X-Request-Id', () => {
  it('is on every response: success, 400, 401, 404, 413 and 415', async () => {
    const responses = [
      await t.api.get('/healthz'),
      await ada.api.get('/v1/projects'),
      await ada.api.post('/v1/projects', { name: null }),
      await t.api.get('/v1/projects'),
      await t.api.get('/v1/no-such-thing'),
      await ada.api.request('POST', '/v1/projects', {
        rawBody: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
      await ada.api.request('POST', '/v1/projects', {
        rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) }),
        headers: { 'content-type': 'application/json' },
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 400, 401, 404, 415, 413]);
    for (const res of responses) expect(res.headers.get('x-request-id')).toMatch(UUID);
    const ids = new Set(responses.map((r) => r.headers.get('x-request-id')));
    expect(ids.size).toBe(responses.length);
  });

  it('echoes a well-formed client id, on success and on error', async () => {
    const ok = await ada.api.get('/v1/projects', { headers: { 'x-request-id': 'cli-42.a:b_c' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('cli-42.a:b_c');
    const bad = await ada.api.get('/v1/projects/nope', { headers: { 'x-request-id': 'trace-7' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-request-id')).toBe('trace-7');
  });

  it.each([
    ['spaces', 'not a valid id'],
    ['a header injection attempt', 'abc%0d%0aSet-Cookie:x=1'],
    ['over 128 characters', 'a'.repeat(129)],
    ['quotes', '"quoted"'],
  ])('replaces a client id with %s by a fresh UUID', async (_what, given) => {
    const res = await ada.api.get('/v1/projects', { headers: { 'x-request-id': given } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('the probes and the API description', () => {
  it('answers /healthz while the process is up', async () => {
    const res = await t.api.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz once the database is reachable and migrated', async () => {
    const res = await t.api.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('serves an OpenAPI 3.1 document generated from the routes', async () => {
    const res = await t.api.get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    const paths = Object.keys(res.body.paths);
    for (const path of [
      '/v1/projects',
      '/v1/projects/{id}',
      '/v1/auth/login',
      '/v1/auth/register',
      '/v1/api-keys',
      '/v1/api-keys/{id}',
      '/v1/admin/users',
    ]) {
      expect(paths).toContain(path);
    }
    const project = res.body.components.schemas.Project;
    expect(Object.keys(project.properties).sort()).toEqual(
      [
        'balance',
        'createdAt',
        'currency',
        'description',
        'id',
        'name',
        'resourceCount',
        'role',
      ].sort(),
    );
    expect(res.body.components.schemas.Error).toBeDefined();
    // Request bodies keep the reference's snake_case names and refuse unknown fields.
    const createKey = res.body.paths['/v1/api-keys'].post.requestBody.content['application/json'];
    expect(Object.keys(createKey.schema.properties)).toEqual(
      expect.arrayContaining(['name', 'scope', 'project_id', 'expires_at']),
    );
    expect(createKey.schema.additionalProperties).toBe(false);
  });

  it('serves a readable API reference page at /docs', async () => {
    const res = await t.api.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(String(res.body)).toMatch(/<html/i);
  });
});

describe('an unexpected failure', () => {
  let broken: TestApp;
  let eve: SignedUpUser;

  beforeAll(async () => {
    broken = await startTestApp();
    eve = await signUp(broken.api, 'Eve');
    // A table the list query reads goes missing: the database error must not reach the client.
    await sql`drop table project_members cascade`.execute(broken.database.db);
  });
  afterAll(() => broken.close());

  it('answers 500 INTERNAL_ERROR with a generic message quoting the request id', async () => {
    const res = await eve.api.get('/v1/projects', { headers: { 'x-request-id': 'boom-1' } });
    expectEnvelope(res, 500, 'INTERNAL_ERROR');
    expect(res.headers.get('x-request-id')).toBe('boom-1');
    expect(res.body.error.message).toContain('boom-1');
    expect(res.body.error.message).not.toMatch(/project_members|does not exist/);
    expect(res.body.error.details).toEqual([]);
  });
});

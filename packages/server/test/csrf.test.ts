import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type ApiClient, type ApiResponse, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The public URL startTestApp configures; Origin must match it exactly.
const OWN_ORIGIN = 'http://localhost:8080';

let t: TestApp;
let ada: SignedUpUser;
let bob: SignedUpUser;
/** Ada's browser: her session cookie and nothing else. */
let browser: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.api, 'Ada');
  bob = await signUp(t.api, 'Bob');
  browser = t.api.with({ cookie: `swiftcloud_session=${ada.token}` });
});
afterAll(() => t.close());

function expectForbidden(res: ApiResponse): void {
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('FORBIDDEN');
}

async function newProject(name: string): Promise<string> {
  const res = await ada.api.post('/v1/projects', { name });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function projectNames(): Promise<string[]> {
  const res = await ada.api.get('/v1/projects?per_page=100');
  expect(res.status).toBe(200);
  return res.body.data.map((p: { name: string }) => p.name);
}

/** POST, PATCH and DELETE through `client`, each on a project made for it. */
async function writes(client: ApiClient, label: string) {
  const patched = await newProject(`${label} patch target`);
  const deleted = await newProject(`${label} delete target`);
  return {
    post: await client.post('/v1/projects', { name: `${label} created` }),
    patch: await client.patch(`/v1/projects/${patched}`, { name: `${label} renamed` }),
    delete: await client.delete(`/v1/projects/${deleted}`),
    patched,
    deleted,
  };
}

async function expectAllRefused(client: ApiClient, label: string): Promise<void> {
  const res = await writes(client, label);
  expectForbidden(res.post);
  expectForbidden(res.patch);
  expectForbidden(res.delete);
  const names = await projectNames();
  expect(names).not.toContain(`${label} created`);
  expect(names).not.toContain(`${label} renamed`);
  expect(names).toContain(`${label} patch target`);
  expect(names).toContain(`${label} delete target`);
}

describe('a write authenticated by the session cookie', () => {
  it('is refused with 403 without X-CSRF-Token', async () => {
    await expectAllRefused(browser, 'no token');
  });

  it('is refused with 403 with a wrong X-CSRF-Token', async () => {
    await expectAllRefused(browser.with({ 'x-csrf-token': 'not-the-token' }), 'made-up token');
    await expectAllRefused(browser.with({ 'x-csrf-token': bob.csrfToken }), 'other token');
    await expectAllRefused(browser.with({ 'x-csrf-token': ada.token }), 'session token');
    await expectAllRefused(browser.with({ 'x-csrf-token': '' }), 'empty token');
  });

  it('succeeds with the session X-CSRF-Token', async () => {
    const res = await writes(browser.with({ 'x-csrf-token': ada.csrfToken }), 'right token');
    expect(res.post.status).toBe(201);
    expect(res.patch.status).toBe(200);
    expect(res.delete.status).toBe(204);
    const names = await projectNames();
    expect(names).toEqual(expect.arrayContaining(['right token created', 'right token renamed']));
    expect(names).not.toContain('right token delete target');
  });

  it('succeeds with the token GET /v1/auth/me gives the cookie session', async () => {
    const me = await browser.get('/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.data.csrfToken).toBe(ada.csrfToken);
    const res = await browser
      .with({ 'x-csrf-token': me.body.data.csrfToken })
      .post('/v1/projects', { name: 'via me' });
    expect(res.status).toBe(201);
  });

  it('is refused with 403 from another Origin, even with the right token', async () => {
    const withToken = browser.with({ 'x-csrf-token': ada.csrfToken });
    for (const origin of [
      'https://evil.example',
      'http://localhost:8081',
      'http://localhost:8080.evil.example',
      'null',
    ]) {
      await expectAllRefused(withToken.with({ origin }), `origin ${origin}`);
    }
  });

  it('is refused with 403 when Sec-Fetch-Site is cross-site or same-site', async () => {
    const withToken = browser.with({ 'x-csrf-token': ada.csrfToken });
    await expectAllRefused(withToken.with({ 'sec-fetch-site': 'cross-site' }), 'cross-site');
    await expectAllRefused(withToken.with({ 'sec-fetch-site': 'same-site' }), 'same-site');
  });

  it('succeeds from the own Origin with Sec-Fetch-Site same-origin or none', async () => {
    const withToken = browser.with({ 'x-csrf-token': ada.csrfToken });
    const cases: [string, Record<string, string>][] = [
      ['own origin', { origin: OWN_ORIGIN }],
      ['same-origin', { origin: OWN_ORIGIN, 'sec-fetch-site': 'same-origin' }],
      ['fetch site none', { 'sec-fetch-site': 'none' }],
    ];
    for (const [label, headers] of cases) {
      const res = await writes(withToken.with(headers), label);
      expect(res.post.status).toBe(201);
      expect(res.patch.status).toBe(200);
      expect(res.delete.status).toBe(204);
    }
  });

  it('protects sign-out and password changes too', async () => {
    const logout = await browser.post('/v1/auth/logout');
    expectForbidden(logout);
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);

    const password = await browser.post('/v1/auth/password', {
      current_password: ada.password,
      new_password: 'chosen by the attacker',
    });
    expectForbidden(password);
    const login = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    expect(login.status).toBe(200);
  });

  it('signs out with the token, ending the session', async () => {
    const carol = await signUp(t.api, 'Carol');
    const carolBrowser = t.api.with({ cookie: `swiftcloud_session=${carol.token}` });
    const res = await carolBrowser
      .with({ 'x-csrf-token': carol.csrfToken, origin: OWN_ORIGIN })
      .post('/v1/auth/logout');
    expect(res.status).toBe(204);
    expect((await carol.api.get('/v1/auth/me')).status).toBe(401);
  });
});

describe('requests that need no CSRF token', () => {
  it('a write authenticated by the bearer token', async () => {
    const res = await writes(ada.api, 'bearer');
    expect(res.post.status).toBe(201);
    expect(res.patch.status).toBe(200);
    expect(res.delete.status).toBe(204);
  });

  it('a write sending both the bearer token and a cookie, authenticated by the bearer', async () => {
    const res = await ada.api
      .with({ cookie: `swiftcloud_session=${bob.token}` })
      .post('/v1/projects', { name: 'bearer wins' });
    expect(res.status).toBe(201);
    expect(await projectNames()).toContain('bearer wins');
  });

  it('a GET with the cookie', async () => {
    const list = await browser.get('/v1/projects');
    expect(list.status).toBe(200);
    const me = await browser.get('/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.data.user.id).toBe(ada.id);
  });
});

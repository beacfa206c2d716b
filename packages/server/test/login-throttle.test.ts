import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signUp, type ApiClient, type ApiResponse, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MINUTE = 60_000;
const WRONG = 'not the password';

let emails = 0;
function unknownEmail(): string {
  emails += 1;
  return `nobody${emails}-${Math.random().toString(36).slice(2, 8)}@example.co.zm`;
}

function login(api: ApiClient, email: string, password: string): Promise<ApiResponse> {
  return api.post('/v1/auth/login', { email, password });
}

async function failLogins(api: ApiClient, email: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const res = await login(api, email, WRONG);
    expect(res.status).toBe(401);
  }
}

function expectRateLimited(res: ApiResponse, retryAfterSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  expect(res.body.error.details).toEqual([]);
  expect(res.headers.get('retry-after')).toBe(String(retryAfterSeconds));
  expect(res.body.data).toBeUndefined();
  expect(res.headers.getSetCookie()).toEqual([]);
}

describe('per account (defaults: 5 failures in 15 minutes)', () => {
  let t: TestApp;
  let ada: SignedUpUser;
  let bob: SignedUpUser;
  beforeAll(async () => {
    t = await startTestApp();
    ada = await signUp(t.api, 'Ada');
    bob = await signUp(t.api, 'Bob');
  });
  afterAll(() => t.close());
  // Each test starts after the windows of the one before have closed.
  beforeEach(() => t.clock.advance(15 * MINUTE));

  it('refuses even the right password with 429 and Retry-After until the window ends', async () => {
    await failLogins(t.api, ada.email, 5);
    expectRateLimited(await login(t.api, ada.email, ada.password), 900);

    t.clock.advance(5 * MINUTE);
    expectRateLimited(await login(t.api, ada.email, ada.password), 600);
    // Attempts while refused neither count nor extend the window.
    expectRateLimited(await login(t.api, ada.email, WRONG), 600);

    t.clock.advance(10 * MINUTE - 1_000);
    expectRateLimited(await login(t.api, ada.email, ada.password), 1);

    t.clock.advance(1_000);
    const res = await login(t.api, ada.email, ada.password);
    expect(res.status).toBe(200);
    expect((await t.api.as(res.body.data.token).get('/v1/auth/me')).status).toBe(200);
  });

  it('clears the account count on a successful sign-in', async () => {
    await failLogins(t.api, ada.email, 4);
    expect((await login(t.api, ada.email, ada.password)).status).toBe(200);
    // The success above cleared the count; four more failures still leave the account open.
    await failLogins(t.api, ada.email, 4);
    expect((await login(t.api, ada.email, ada.password)).status).toBe(200);
    await failLogins(t.api, ada.email, 5);
    expectRateLimited(await login(t.api, ada.email, ada.password), 900);
  });

  it('counts the email case-insensitively', async () => {
    await failLogins(t.api, ada.email.toUpperCase(), 3);
    await failLogins(t.api, ada.email, 2);
    expectRateLimited(await login(t.api, ada.email, ada.password), 900);
  });

  it('forgets failures older than the window', async () => {
    await failLogins(t.api, ada.email, 4);
    t.clock.advance(15 * MINUTE);
    await failLogins(t.api, ada.email, 4);
    expect((await login(t.api, ada.email, ada.password)).status).toBe(200);
  });

  it('leaves other accounts signing in while one is throttled', async () => {
    await failLogins(t.api, ada.email, 5);
    expectRateLimited(await login(t.api, ada.email, ada.password), 900);
    expect((await login(t.api, bob.email, bob.password)).status).toBe(200);
    // A session already held keeps working.
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);
  });

  it('throttles an unknown email exactly as it throttles a known one', async () => {
    const nobody = unknownEmail();
    await failLogins(t.api, nobody, 5);
    await failLogins(t.api, ada.email, 5);

    const unknown = await login(t.api, nobody, WRONG);
    const known = await login(t.api, ada.email, WRONG);
    expectRateLimited(unknown, 900);
    expectRateLimited(known, 900);
    expect(unknown.body).toEqual(known.body);
  });
});

describe('per address (SWIFTCLOUD_LOGIN_MAX_FAILURES_PER_IP=3)', () => {
  let t: TestApp;
  let ada: SignedUpUser;
  beforeAll(async () => {
    // Trusting X-Forwarded-For lets the test speak from more than one address.
    t = await startTestApp({
      SWIFTCLOUD_LOGIN_MAX_FAILURES_PER_IP: '3',
      SWIFTCLOUD_TRUST_PROXY: 'true',
    });
    ada = await signUp(t.api, 'Ada');
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.advance(15 * MINUTE));

  const from = (ip: string) => t.api.with({ 'x-forwarded-for': ip });

  it('refuses every account from an address that failed with many emails', async () => {
    const here = from('127.0.0.1');
    for (let i = 0; i < 3; i += 1) await failLogins(here, unknownEmail(), 1);

    expectRateLimited(await login(here, ada.email, ada.password), 900);
    expectRateLimited(await login(here, unknownEmail(), WRONG), 900);
    // The account itself is not locked: another address signs it in.
    expect((await login(from('192.0.2.7'), ada.email, ada.password)).status).toBe(200);

    t.clock.advance(15 * MINUTE);
    expect((await login(here, ada.email, ada.password)).status).toBe(200);
  });

  it('keeps counting an address across a success', async () => {
    const here = from('198.51.100.4');
    await failLogins(here, unknownEmail(), 2);
    expect((await login(here, ada.email, ada.password)).status).toBe(200);
    await failLogins(here, unknownEmail(), 1);
    expectRateLimited(await login(here, ada.email, ada.password), 900);
  });

  it('counts an account across addresses', async () => {
    for (let i = 1; i <= 5; i += 1) await failLogins(from(`203.0.113.${i}`), ada.email, 1);
    expectRateLimited(await login(from('203.0.113.99'), ada.email, ada.password), 900);
  });
});

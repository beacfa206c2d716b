import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type ApiResponse, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PASSWORD = 'correct horse battery';
const BAD_CREDENTIALS = {
  error: { code: 'UNAUTHORIZED', message: 'The email or password is wrong', details: [] },
};

let t: TestApp;
let emails = 0;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function freshEmail(): string {
  emails += 1;
  return `auth${emails}-${Math.random().toString(36).slice(2, 8)}@example.co.zm`;
}

function sessionCookie(res: ApiResponse): string {
  const cookies = res.headers.getSetCookie().filter((c) => c.startsWith('swiftcloud_session='));
  expect(cookies).toHaveLength(1);
  return cookies[0]!;
}

function expectValidationError(res: ApiResponse, field: string): void {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

describe('POST /v1/auth/register', () => {
  it('creates the account, answers 201 with a session and sets an HttpOnly Lax cookie', async () => {
    const email = freshEmail();
    const before = t.clock.now().getTime();
    const res = await t.api.post('/v1/auth/register', { email, password: PASSWORD, name: 'Ada' });

    expect(res.status).toBe(201);
    const { data } = res.body;
    expect(Object.keys(data).sort()).toEqual(['csrfToken', 'expiresAt', 'token', 'user']);
    expect(data.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(data.csrfToken).toEqual(expect.any(String));
    expect(data.csrfToken).not.toBe(data.token);
    expect(data.expiresAt).toMatch(RFC3339_SECONDS);
    // The default absolute lifetime is 7 days from sign-in.
    const lifetime = Date.parse(data.expiresAt) - before;
    expect(lifetime).toBeGreaterThan(7 * 24 * 3_600_000 - 1_000);
    expect(lifetime).toBeLessThanOrEqual(7 * 24 * 3_600_000);
    expect(data.user).toEqual({
      id: expect.stringMatching(UUID),
      email,
      name: 'Ada',
      isAdmin: false,
      createdAt: expect.stringMatching(RFC3339_SECONDS),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);

    const cookie = sessionCookie(res);
    expect(cookie.startsWith(`swiftcloud_session=${data.token};`)).toBe(true);
    const attributes = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes).not.toContain('secure');

    const me = await t.api.as(data.token).get('/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.data.user).toEqual(data.user);
  });

  it('stores the email in lower case and trims it', async () => {
    const email = freshEmail();
    const res = await t.api.post('/v1/auth/register', {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      name: '  Grace  ',
    });
    expect(res.status).toBe(201);
    expect(res.body.data.user.email).toBe(email);
    expect(res.body.data.user.name).toBe('Grace');
  });

  it('refuses an email that already has an account with 409, whatever its case', async () => {
    const email = freshEmail();
    const first = await t.api.post('/v1/auth/register', { email, password: PASSWORD, name: 'A' });
    expect(first.status).toBe(201);

    for (const again of [email, email.toUpperCase()]) {
      const res = await t.api.post('/v1/auth/register', {
        email: again,
        password: 'another password!',
        name: 'B',
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CONFLICT');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('accepts passwords of exactly 10 and 256 characters', async () => {
    for (const password of ['p'.repeat(10), 'p'.repeat(256)]) {
      const res = await t.api.post('/v1/auth/register', {
        email: freshEmail(),
        password,
        name: 'Boundary',
      });
      expect(res.status).toBe(201);
    }
  });

  it.each([
    ['a password shorter than 10 characters', { password: 'p'.repeat(9) }, 'password'],
    ['a password longer than 256 characters', { password: 'p'.repeat(257) }, 'password'],
    ['an email that is not one', { email: 'ada-at-example.co.zm' }, 'email'],
    ['a missing name', { name: undefined }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a missing email', { email: undefined }, 'email'],
    ['an unknown field', { is_admin: true }, 'is_admin'],
  ])('rejects %s with VALIDATION_ERROR naming the field', async (_what, change, field) => {
    const email = freshEmail();
    const body = { email, password: PASSWORD, name: 'Val', ...change };
    const res = await t.api.post('/v1/auth/register', body);
    expectValidationError(res, field);
    expect(res.headers.getSetCookie()).toEqual([]);
    // Nothing was created: the same email can still sign up.
    if (field !== 'email') {
      const login = await t.api.post('/v1/auth/login', { email, password: PASSWORD });
      expect(login.status).toBe(401);
    }
  });
});

describe('POST /v1/auth/login', () => {
  let ada: SignedUpUser;
  beforeAll(async () => {
    ada = await signUp(t.api, 'Ada Login');
  });

  it('answers 200 with the session shape, a cookie and a new token on every login', async () => {
    const first = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    const second = await t.api.post('/v1/auth/login', {
      email: ada.email.toUpperCase(),
      password: ada.password,
    });

    for (const res of [first, second]) {
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data).sort()).toEqual([
        'csrfToken',
        'expiresAt',
        'token',
        'user',
      ]);
      expect(res.body.data.user).toMatchObject({ id: ada.id, email: ada.email });
      expect(res.body.data.expiresAt).toMatch(RFC3339_SECONDS);
      expect(sessionCookie(res).startsWith(`swiftcloud_session=${res.body.data.token};`)).toBe(
        true,
      );
    }
    const tokens = new Set([ada.token, first.body.data.token, second.body.data.token]);
    expect(tokens.size).toBe(3);
    expect(first.body.data.csrfToken).not.toBe(second.body.data.csrfToken);

    // Signing in again from elsewhere leaves the other sessions alone.
    for (const token of tokens) {
      expect((await t.api.as(token).get('/v1/auth/me')).status).toBe(200);
    }
  });

  it('answers a wrong password and an unknown email with the identical 401', async () => {
    const wrong = await t.api.post('/v1/auth/login', {
      email: ada.email,
      password: 'not the password',
    });
    const unknown = await t.api.post('/v1/auth/login', {
      email: freshEmail(),
      password: ada.password,
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(BAD_CREDENTIALS);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  it('treats a too-short password as a failed login, not a validation error', async () => {
    const res = await t.api.post('/v1/auth/login', { email: ada.email, password: 'short' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(BAD_CREDENTIALS);
  });

  it('rejects a malformed login body with VALIDATION_ERROR', async () => {
    expectValidationError(
      await t.api.post('/v1/auth/login', { email: 'nope', password: PASSWORD }),
      'email',
    );
    expectValidationError(await t.api.post('/v1/auth/login', { email: ada.email }), 'password');
    expectValidationError(
      await t.api.post('/v1/auth/login', { email: ada.email, password: PASSWORD, remember: true }),
      'remember',
    );
  });

  it('refuses to sign in a disabled account, even with the right password', async () => {
    const admin = await signUp(t.api, 'Admin');
    await t.database.db
      .updateTable('users')
      .set({ is_admin: true })
      .where('id', '=', admin.id)
      .execute();
    const grace = await signUp(t.api, 'Grace Disabled');

    const disabled = await admin.api.post(`/v1/admin/users/${grace.id}/disable`);
    expect(disabled.status).toBe(200);

    const login = await t.api.post('/v1/auth/login', {
      email: grace.email,
      password: grace.password,
    });
    expect(login.status).toBe(401);
    expect(login.body.error.code).toBe('UNAUTHORIZED');
    expect(login.body.data).toBeUndefined();
    expect(login.headers.getSetCookie()).toEqual([]);
    expect((await grace.api.get('/v1/auth/me')).status).toBe(401);

    const enabled = await admin.api.post(`/v1/admin/users/${grace.id}/enable`);
    expect(enabled.status).toBe(200);
    const again = await t.api.post('/v1/auth/login', {
      email: grace.email,
      password: grace.password,
    });
    expect(again.status).toBe(200);
  });
});

describe('POST /v1/auth/logout', () => {
  it('answers 204, clears the cookie and ends the session on the server', async () => {
    const ada = await signUp(t.api, 'Ada Logout');
    const other = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    expect(other.status).toBe(200);

    const res = await ada.api.post('/v1/auth/logout');
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    const cleared = sessionCookie(res);
    expect(cleared).toMatch(/^swiftcloud_session=;/);
    expect(cleared.toLowerCase()).toMatch(/expires=thu, 01 jan 1970|max-age=0/);

    // The token itself is dead, not just the browser's copy of it.
    const me = await ada.api.get('/v1/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('UNAUTHORIZED');
    const viaCookie = await t.api
      .with({ cookie: `swiftcloud_session=${ada.token}` })
      .get('/v1/auth/me');
    expect(viaCookie.status).toBe(401);
    expect((await ada.api.post('/v1/auth/logout')).status).toBe(401);

    // Only that session ended.
    expect((await t.api.as(other.body.data.token).get('/v1/auth/me')).status).toBe(200);
  });

  it('needs a session', async () => {
    const res = await t.api.post('/v1/auth/logout');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('GET /v1/auth/me', () => {
  let ada: SignedUpUser;
  beforeAll(async () => {
    ada = await signUp(t.api, 'Ada Me');
  });

  it('shows the user and session when called with the bearer token', async () => {
    const res = await ada.api.get('/v1/auth/me');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      user: {
        id: ada.id,
        email: ada.email,
        name: 'Ada Me',
        isAdmin: false,
        createdAt: expect.stringMatching(RFC3339_SECONDS),
      },
      authenticatedBy: 'session',
      csrfToken: ada.csrfToken,
      expiresAt: expect.stringMatching(RFC3339_SECONDS),
    });
  });

  it('shows the same when called with the session cookie', async () => {
    const viaBearer = await ada.api.get('/v1/auth/me');
    const viaCookie = await t.api
      .with({ cookie: `swiftcloud_session=${ada.token}` })
      .get('/v1/auth/me');
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body).toEqual(viaBearer.body);
  });

  it('answers 401 without credentials or with a made-up token', async () => {
    const anonymous = await t.api.get('/v1/auth/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    const madeUp = await t.api.as('x'.repeat(43)).get('/v1/auth/me');
    expect(madeUp.status).toBe(401);
    const badCookie = await t.api
      .with({ cookie: `swiftcloud_session=${'x'.repeat(43)}` })
      .get('/v1/auth/me');
    expect(badCookie.status).toBe(401);
  });
});

describe('POST /v1/auth/password', () => {
  it('changes the password, ends the other sessions and keeps the current one', async () => {
    const ada = await signUp(t.api, 'Ada Password');
    const laptop = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    const phone = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    const bystander = await signUp(t.api, 'Bystander');

    const newPassword = 'a brand new passphrase';
    const res = await ada.api.post('/v1/auth/password', {
      current_password: ada.password,
      new_password: newPassword,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { otherSessionsEnded: 2 } });

    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);
    expect((await t.api.as(laptop.body.data.token).get('/v1/auth/me')).status).toBe(401);
    expect((await t.api.as(phone.body.data.token).get('/v1/auth/me')).status).toBe(401);
    expect((await bystander.api.get('/v1/auth/me')).status).toBe(200);

    const withOld = await t.api.post('/v1/auth/login', {
      email: ada.email,
      password: ada.password,
    });
    expect(withOld.status).toBe(401);
    expect(withOld.body).toEqual(BAD_CREDENTIALS);
    const withNew = await t.api.post('/v1/auth/login', { email: ada.email, password: newPassword });
    expect(withNew.status).toBe(200);
  });

  describe('refusals', () => {
    let ada: SignedUpUser;
    beforeAll(async () => {
      ada = await signUp(t.api, 'Ada Refusals');
    });

    async function stillSignsInWithOriginalPassword(): Promise<void> {
      const login = await t.api.post('/v1/auth/login', {
        email: ada.email,
        password: ada.password,
      });
      expect(login.status).toBe(200);
    }

    it('answers a wrong current password with 400 on current_password and changes nothing', async () => {
      const other = await t.api.post('/v1/auth/login', {
        email: ada.email,
        password: ada.password,
      });
      const res = await ada.api.post('/v1/auth/password', {
        current_password: 'not my password',
        new_password: 'a brand new passphrase',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([
        { field: 'current_password', message: expect.any(String) },
      ]);
      expect((await t.api.as(other.body.data.token).get('/v1/auth/me')).status).toBe(200);
      await stillSignsInWithOriginalPassword();
    });

    it('answers a new password under 10 characters with 400 on new_password', async () => {
      const res = await ada.api.post('/v1/auth/password', {
        current_password: ada.password,
        new_password: 'short1234',
      });
      expectValidationError(res, 'new_password');
      await stillSignsInWithOriginalPassword();
    });

    it('answers a new password equal to the current one with 400 on new_password', async () => {
      const res = await ada.api.post('/v1/auth/password', {
        current_password: ada.password,
        new_password: ada.password,
      });
      expectValidationError(res, 'new_password');
    });

    it('answers a missing current password or an unknown field with 400', async () => {
      expectValidationError(
        await ada.api.post('/v1/auth/password', { new_password: 'a brand new passphrase' }),
        'current_password',
      );
      expectValidationError(
        await ada.api.post('/v1/auth/password', {
          current_password: ada.password,
          new_password: 'a brand new passphrase',
          newPassword: 'typo',
        }),
        'newPassword',
      );
      await stillSignsInWithOriginalPassword();
    });

    it('needs a signed-in session', async () => {
      const res = await t.api.post('/v1/auth/password', {
        current_password: ada.password,
        new_password: 'a brand new passphrase',
      });
      expect(res.status).toBe(401);
    });
  });
});

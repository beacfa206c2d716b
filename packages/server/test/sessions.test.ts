import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type ApiResponse } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function sessionRows(t: TestApp, userId: string) {
  return t.database.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
}

function setCookies(res: ApiResponse, name: string): string[] {
  return res.headers.getSetCookie().filter((c) => c.startsWith(`${name}=`));
}

function attributesOf(cookie: string): string[] {
  return cookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
}

describe('with the default timeouts (2 h idle, 7 days absolute)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('ends a session left idle for 2 hours, and removes its row', async () => {
    const ada = await signUp(t.api);
    t.clock.advance(2 * HOUR - 1_000);
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);

    t.clock.advance(2 * HOUR);
    const res = await ada.api.get('/v1/auth/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(await sessionRows(t, ada.id)).toEqual([]);
  });

  it('keeps a session alive while it is used, each request restarting the idle timer', async () => {
    const ada = await signUp(t.api);
    for (let i = 0; i < 5; i += 1) {
      t.clock.advance(110 * MINUTE);
      expect((await ada.api.get('/v1/projects')).status).toBe(200);
    }
    // 9 h 10 min after sign-in, far past one idle period, and still signed in.
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);
  });

  it('ends a session 7 days after sign-in however busy it is, and never slides its expiry', async () => {
    const start = t.clock.now().getTime();
    const ada = await signUp(t.api);
    const expiresAt = (await ada.api.get('/v1/auth/me')).body.data.expiresAt;
    expect(Date.parse(expiresAt)).toBe(Math.floor((start + 168 * HOUR) / 1000) * 1000);

    while (t.clock.now().getTime() + 100 * MINUTE < start + 168 * HOUR) {
      t.clock.advance(100 * MINUTE);
      const me = await ada.api.get('/v1/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.data.expiresAt).toBe(expiresAt);
    }
    t.clock.advance(start + 168 * HOUR - 1_000 - t.clock.now().getTime());
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);

    t.clock.advance(1_000);
    expect((await ada.api.get('/v1/auth/me')).status).toBe(401);
    expect(await sessionRows(t, ada.id)).toEqual([]);
  });

  it('ends the session whose cookie is sent to a login, and issues a new one', async () => {
    const ada = await signUp(t.api);
    const res = await t.api
      .with({ cookie: `swiftcloud_session=${ada.token}` })
      .post('/v1/auth/login', { email: ada.email, password: ada.password });
    expect(res.status).toBe(200);
    const fresh: string = res.body.data.token;
    expect(fresh).not.toBe(ada.token);

    expect((await ada.api.get('/v1/auth/me')).status).toBe(401);
    expect((await t.api.as(fresh).get('/v1/auth/me')).status).toBe(200);
    const rows = await sessionRows(t, ada.id);
    expect(rows.map((r) => r.token_hash)).toEqual([sha256(fresh)]);
  });

  it('keeps the old session when the login sent with its cookie fails', async () => {
    const ada = await signUp(t.api);
    const res = await t.api
      .with({ cookie: `swiftcloud_session=${ada.token}` })
      .post('/v1/auth/login', { email: ada.email, password: 'not the password' });
    expect(res.status).toBe(401);
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);
  });

  it('keeps only a SHA-256 hash of each token in the database', async () => {
    const ada = await signUp(t.api);
    const login = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    const tokens = [ada.token, login.body.data.token as string];

    const rows = await sessionRows(t, ada.id);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.token_hash).sort()).toEqual(tokens.map(sha256).sort());
    for (const row of rows) {
      for (const token of tokens) {
        expect(row.token_hash).not.toBe(token);
        expect(JSON.stringify(row)).not.toContain(token);
      }
    }
  });
});

describe('with SWIFTCLOUD_SESSION_IDLE_MINUTES=5 and SWIFTCLOUD_SESSION_MAX_HOURS=1', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      SWIFTCLOUD_SESSION_IDLE_MINUTES: '5',
      SWIFTCLOUD_SESSION_MAX_HOURS: '1',
    });
  });
  afterAll(() => t.close());

  it('ends a session after 5 idle minutes', async () => {
    const ada = await signUp(t.api);
    t.clock.advance(5 * MINUTE - 1_000);
    expect((await ada.api.get('/v1/auth/me')).status).toBe(200);
    t.clock.advance(5 * MINUTE);
    expect((await ada.api.get('/v1/auth/me')).status).toBe(401);
  });

  it('ends a session used every 4 minutes after 1 hour, as its expiresAt says', async () => {
    const start = t.clock.now().getTime();
    const ada = await signUp(t.api);
    const me = await ada.api.get('/v1/auth/me');
    expect(Date.parse(me.body.data.expiresAt)).toBe(Math.floor((start + HOUR) / 1000) * 1000);

    for (let minutes = 4; minutes < 60; minutes += 4) {
      t.clock.advance(4 * MINUTE);
      expect((await ada.api.get('/v1/auth/me')).status).toBe(200);
    }
    t.clock.advance(start + HOUR - t.clock.now().getTime());
    expect((await ada.api.get('/v1/auth/me')).status).toBe(401);
  });
});

describe('when SWIFTCLOUD_PUBLIC_URL is https', () => {
  const origin = 'https://cloud.example.co.zm';
  const cookieName = '__Host-swiftcloud_session';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SWIFTCLOUD_PUBLIC_URL: origin });
  });
  afterAll(() => t.close());

  it('sets a Secure, host-only __Host- cookie at sign-up and login', async () => {
    const ada = await signUp(t.api);
    const login = await t.api.post('/v1/auth/login', { email: ada.email, password: ada.password });
    expect(login.status).toBe(200);
    expect(setCookies(login, 'swiftcloud_session')).toEqual([]);

    const [cookie] = setCookies(login, cookieName);
    expect(cookie).toBeDefined();
    expect(cookie!.startsWith(`${cookieName}=${login.body.data.token};`)).toBe(true);
    const attributes = attributesOf(cookie!);
    expect(attributes).toEqual(
      expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']),
    );
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
  });

  it('reads the session from the __Host- cookie only', async () => {
    const ada = await signUp(t.api);
    const viaHost = await t.api.with({ cookie: `${cookieName}=${ada.token}` }).get('/v1/auth/me');
    expect(viaHost.status).toBe(200);
    expect(viaHost.body.data.user.id).toBe(ada.id);
    const viaPlain = await t.api
      .with({ cookie: `swiftcloud_session=${ada.token}` })
      .get('/v1/auth/me');
    expect(viaPlain.status).toBe(401);
  });

  it('clears the __Host- cookie at logout with the attributes a browser needs to accept it', async () => {
    const ada = await signUp(t.api);
    const res = await t.api
      .with({ cookie: `${cookieName}=${ada.token}`, origin, 'x-csrf-token': ada.csrfToken })
      .post('/v1/auth/logout');
    expect(res.status).toBe(204);
    const [cleared] = setCookies(res, cookieName);
    expect(cleared).toBeDefined();
    // Browsers drop a __Host- cookie without Secure and Path=/, so the old one would linger.
    expect(attributesOf(cleared!)).toEqual(expect.arrayContaining(['secure', 'path=/']));
    expect((await ada.api.get('/v1/auth/me')).status).toBe(401);
  });

  it('checks a cookie write Origin against the https origin, scheme included', async () => {
    const ada = await signUp(t.api);
    const cookie = { cookie: `${cookieName}=${ada.token}`, 'x-csrf-token': ada.csrfToken };
    const downgraded = await t.api
      .with({ ...cookie, origin: 'http://cloud.example.co.zm' })
      .post('/v1/projects', { name: 'Refused' });
    expect(downgraded.status).toBe(403);
    expect(downgraded.body.error.code).toBe('FORBIDDEN');
    const same = await t.api.with({ ...cookie, origin }).post('/v1/projects', { name: 'Allowed' });
    expect(same.status).toBe(201);
  });
});

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

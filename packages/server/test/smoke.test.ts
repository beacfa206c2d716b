import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('a fresh server', () => {
  it('is ready once migrated', async () => {
    const res = await t.api.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('lets a new account create and list a project', async () => {
    const ada = await signUp(t.api);
    const created = await ada.api.post('/v1/projects', { name: 'Lusaka shop' });
    expect(created.status).toBe(201);
    const list = await ada.api.get('/v1/projects');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { name: string }) => p.name)).toEqual(['Lusaka shop']);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const INDEX = '<!doctype html><title>SwiftCloud</title><div id="root"></div>';
const ASSET = 'console.log("console")';
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the web console served at /', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-web-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), INDEX);
    await writeFile(path.join(dir, 'assets', 'index-Ab12Cd34.js'), ASSET);
    t = await startTestApp({ SWIFTCLOUD_WEB_DIR: dir });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers / with index.html, never cached', async () => {
    const res = await t.api.get('/', { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.body).toBe(INDEX);
  });

  it('serves hashed assets cached for a year', async () => {
    const res = await t.api.get('/assets/index-Ab12Cd34.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.body).toBe(ASSET);
  });

  it('answers a deep link a browser reloads with index.html', async () => {
    for (const page of ['/projects/3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c/vms', '/admin/nodes?x=1']) {
      const res = await t.api.get(page, { headers: html });
      expect(res.status, page).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('keeps unknown API paths a JSON 404, even for a browser', async () => {
    const ada = await signUp(t.api);
    const res = await ada.api.get('/v1/no-such-thing', { headers: html });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('never answers the health probes or the API docs area with the console', async () => {
    for (const p of ['/healthz/x', '/readyz/x', '/docs/no-such-page', '/v1']) {
      const res = await t.api.get(p, { headers: html });
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toBe(INDEX);
    }
  });

  it('answers clients that do not ask for HTML, and writes, with the JSON 404', async () => {
    const json = await t.api.get('/projects', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(json.body.error.code).toBe('NOT_FOUND');
    const post = await t.api.post('/projects', { a: 1 }, { headers: html });
    expect(post.status).toBe(404);
    expect(post.body.error.code).toBe('NOT_FOUND');
    const missingAsset = await t.api.get('/assets/gone-123.js');
    expect(missingAsset.status).toBe(404);
    expect(missingAsset.body.error.code).toBe('NOT_FOUND');
  });

  it('still serves the API reference and the health probes', async () => {
    expect((await t.api.get('/healthz')).status).toBe(200);
    expect((await t.api.get('/v1/openapi.json')).status).toBe(200);
    expect((await t.api.get('/docs', { headers: html })).status).toBeLessThan(400);
  });
});

describe('without a built console', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SWIFTCLOUD_WEB_DIR: path.join(tmpdir(), 'swiftcloud-no-such-dir') });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says at / how to build it, and the API keeps working', async () => {
    const res = await t.api.get('/', { headers: html });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build');
    expect((await t.api.get('/healthz')).status).toBe(200);
    expect((await t.api.get('/v1/no-such-thing', { headers: html })).body.error.code).toBe(
      'NOT_FOUND',
    );
  });
});

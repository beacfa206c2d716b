import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths the console never answers, so that their 404s stay the API's JSON. */
const NOT_CONSOLE = /^\/(v1|docs|healthz|readyz)(\/|$)/;

// Vite names every asset by its content hash, so a file under assets/ never changes.
const ASSET_CACHE = 'public, max-age=31536000, immutable';
// index.html names the current assets: the browser must ask again every time.
const PAGE_CACHE = 'no-cache';

function wantsPage(request: FastifyRequest): boolean {
  const url = request.url.split('?')[0] ?? '/';
  if (NOT_CONSOLE.test(url)) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SwiftCloud</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>SwiftCloud is running</h1>
<p>The web console has not been built, so there is nothing to show here yet. Build it with
<code>npm run build</code> (or start with <code>npm start</code>, which builds it), then reload.</p>
<p>The API answers at <a href="/v1/openapi.json">/v1</a>; its reference is at <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Serves the web console's built files at `/`: hashed assets cached for a year, index.html
 * never cached, and index.html for any other page a browser asks for (deep links reload).
 * Without a build it says how to make one.
 */
export async function registerWebConsole(app: FastifyInstance, webDir: string): Promise<void> {
  const built = existsSync(path.join(webDir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: webDir,
      prefix: '/',
      // One route per file found at start, rather than a catch-all, so the fallback below
      // decides what unknown paths get.
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res, file) => {
        const rel = path.relative(webDir, file);
        res.setHeader(
          'cache-control',
          rel.startsWith(`assets${path.sep}`) ? ASSET_CACHE : PAGE_CACHE,
        );
      },
    });
  }

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!wantsPage(request)) return reply.callNotFound();
    if (!built) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', PAGE_CACHE).sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}

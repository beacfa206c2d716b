import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../platform/errors.js';
import { API_KEY_PREFIX, type ApiKeysService } from './api-keys.service.js';
import type { Principal } from './principal.js';
import type { SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

interface Deps {
  sessions: SessionsService;
  apiKeys: ApiKeysService;
  cookieName: string;
  publicOrigin: string;
}

/**
 * Resolves the caller of every request (bearer token or session cookie) before validation,
 * and enforces the route's access level, API key scopes and CSRF protection.
 */
export function registerAuthentication(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request) => {
    // Everything under /v1 needs a caller unless the route says otherwise; the probes and
    // the documentation outside it are public.
    const inApi = request.routeOptions.url?.startsWith('/v1/') ?? false;
    const access = request.routeOptions.config?.access ?? (inApi ? 'user' : 'public');
    const presented = credentialOf(request, deps.cookieName);
    if (presented === 'malformed') {
      if (access === 'public') return;
      throw new Unauthorized('The Authorization header must be "Bearer <token>"');
    }
    if (presented) {
      request.principal = presented.token.startsWith(API_KEY_PREFIX)
        ? await deps.apiKeys.authenticate(presented.token)
        : await deps.sessions.authenticate(presented.token, presented.fromCookie);
    }
    if (access === 'public') return;
    const principal = request.principal;
    if (!principal) {
      throw new Unauthorized(
        presented
          ? 'Your session or API key is invalid, expired or revoked; sign in again'
          : 'Sign in, or send an API key as "Authorization: Bearer sc_...", to use this endpoint',
      );
    }
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe && principal.via === 'api_key' && principal.scope === 'read') {
      throw new Forbidden('This API key is read-only; use a read_write key to make changes');
    }
    if (unsafe) assertSameSite(request, principal, deps.publicOrigin);
    if (access === 'admin' && !principal.user.isAdmin) {
      throw new Forbidden('Only platform administrators may do this');
    }
  });
}

function credentialOf(
  request: FastifyRequest,
  cookieName: string,
): { token: string; fromCookie: boolean } | 'malformed' | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_\-.~+/]{16,512}=*)$/i.exec(header.trim());
    return match?.[1] ? { token: match[1], fromCookie: false } : 'malformed';
  }
  const cookie = request.cookies[cookieName];
  return cookie ? { token: cookie, fromCookie: true } : null;
}

/**
 * Cookie-authenticated writes must come from our own pages: the browser's Origin and
 * Sec-Fetch-Site must not say otherwise, and the CSRF token (which a cross-site page
 * cannot read) must be in the X-CSRF-Token header. Bearer tokens are not sent by browsers
 * on their own, so they need neither.
 */
function assertSameSite(request: FastifyRequest, principal: Principal, publicOrigin: string): void {
  if (principal.via !== 'session' || !principal.fromCookie) return;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== publicOrigin) {
    throw new Forbidden(`Cross-site request refused: Origin ${origin} is not ${publicOrigin}`);
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new Forbidden('Cross-site request refused: send writes from the SwiftCloud console');
  }
  if (request.headers[CSRF_HEADER] !== principal.csrfToken) {
    throw new Forbidden(
      'Missing or wrong X-CSRF-Token header; read the token from GET /v1/auth/me',
    );
  }
}

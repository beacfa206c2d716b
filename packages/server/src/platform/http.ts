import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

export const BODY_LIMIT = 1024 * 1024;
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Server options shared by every SwiftCloud HTTP entry point. */
export function httpServerOptions(): Pick<
  FastifyServerOptions,
  'bodyLimit' | 'genReqId' | 'requestIdHeader'
> {
  return {
    bodyLimit: BODY_LIMIT,
    requestIdHeader: false,
    // Echo a well-formed client request id so that both sides can quote the same one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
  };
}

/** Request id and safety headers on every response; JSON as the only request body type. */
export function registerHttpConventions(app: FastifyInstance): void {
  // Fastify also parses text/plain by default; the API speaks JSON only, so anything else gets 415.
  app.removeContentTypeParser(['text/plain']);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
  });
}

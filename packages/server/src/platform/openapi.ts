import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas, and the API reference
 * page that reads it. Must be registered before the routes it describes.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  publicUrl: URL,
  cookieName: string,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SwiftCloud API',
        version: '1.0.0',
        description:
          'Projects, virtual machines, DNS and prepaid billing in Zambian kwacha. Every success is `{"data": ...}`; every error is `{"error": {"code", "message", "details"}}`.',
      },
      servers: [{ url: new URL('/', publicUrl).toString().replace(/\/$/, '') }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session token from /v1/auth/login, or an API key (sc_...)',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: cookieName,
            description: "The console's session cookie; writes also need X-CSRF-Token",
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { url: '/v1/openapi.json' } as never,
  });
  app.get('/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}

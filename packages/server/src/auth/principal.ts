import type { FastifyRequest } from 'fastify';
import type { ApiKeyScope } from '@swiftcloud/contracts';
import { Unauthorized } from '../platform/errors.js';

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  createdAt: Date;
}

/** Who is calling, and through which credential. */
export type Principal =
  | {
      via: 'session';
      user: AuthenticatedUser;
      sessionId: string;
      expiresAt: Date;
      csrfToken: string;
      fromCookie: boolean;
    }
  | {
      via: 'api_key';
      user: AuthenticatedUser;
      apiKeyId: string;
      scope: ApiKeyScope;
      projectId: string | null;
    };

/** Who may call a route: anyone, any signed-in user, or platform administrators. */
export type RouteAccess = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Default `user` under /v1, `public` elsewhere. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The caller of a route that requires authentication. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized();
  return request.principal;
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  changePasswordBody,
  loginBody,
  meResponse,
  passwordChangedResponse,
  registerBody,
  sessionResponse,
} from '@swiftcloud/contracts';
import type { Config } from '../config.js';
import { apiTime } from '../platform/clock.js';
import { noContent, responses } from '../platform/routes.js';
import type { AuthService, ClientInfo, SignedIn } from './auth.service.js';
import { principalOf } from './principal.js';
import { userView } from './views.js';

interface Deps {
  auth: AuthService;
  session: Config['session'];
}

const tags = ['auth'];

export function authRoutes({ auth, session }: Deps): FastifyPluginAsyncZod {
  function client(request: FastifyRequest): ClientInfo {
    return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
  }

  // Clearing must repeat these too: browsers ignore a __Host- Set-Cookie without Secure.
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    secure: session.secureCookie,
    path: '/',
  } as const;

  function signIn(reply: FastifyReply, s: SignedIn) {
    reply.setCookie(session.cookieName, s.token, { ...cookieOptions, expires: s.expiresAt });
    return {
      data: {
        token: s.token,
        expiresAt: apiTime(s.expiresAt),
        csrfToken: s.csrfToken,
        user: userView(s.user),
      },
    };
  }

  return async (app) => {
    app.post(
      '/auth/register',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Create an account and sign in',
          body: registerBody,
          response: responses({ 201: sessionResponse }),
        },
      },
      async (request, reply) => {
        const signedIn = await auth.register(request.body, client(request));
        return reply.code(201).send(signIn(reply, signedIn));
      },
    );

    app.post(
      '/auth/login',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Sign in',
          body: loginBody,
          response: responses({ 200: sessionResponse }),
        },
      },
      async (request, reply) => {
        const previous =
          request.principal?.via === 'session' ? request.principal.sessionId : undefined;
        return signIn(reply, await auth.login(request.body, client(request), previous));
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          tags,
          summary: 'Sign out (ends the session on the server)',
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await auth.logout(principalOf(request));
        reply.clearCookie(session.cookieName, cookieOptions);
        return noContent(reply);
      },
    );

    app.get(
      '/auth/me',
      { schema: { tags, summary: 'Who is signed in', response: responses({ 200: meResponse }) } },
      async (request) => {
        const p = principalOf(request);
        return {
          data: {
            user: userView(p.user),
            authenticatedBy: p.via,
            csrfToken: p.via === 'session' ? p.csrfToken : null,
            expiresAt: p.via === 'session' ? apiTime(p.expiresAt) : null,
          },
        };
      },
    );

    app.post(
      '/auth/password',
      {
        schema: {
          tags,
          summary: 'Change the password; ends every other session',
          body: changePasswordBody,
          response: responses({ 200: passwordChangedResponse }),
        },
      },
      async (request) => {
        const ended = await auth.changePassword(
          principalOf(request),
          request.body.current_password,
          request.body.new_password,
        );
        return { data: { otherSessionsEnded: ended } };
      },
    );
  };
}

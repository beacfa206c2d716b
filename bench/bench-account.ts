import type { Services } from '../packages/server/dist/app.js';
import type { Principal } from '../packages/server/dist/auth/principal.js';

/** Registers a fresh account for a benchmark and answers its session token and principal. */
export async function benchAccount(
  services: Services,
  label: string,
): Promise<{ token: string; principal: Principal }> {
  const signedIn = await services.auth.register(
    {
      email: `${label}-${Date.now()}@example.co.zm`,
      password: 'benchmark password',
      name: 'Bench',
    },
    { ip: '127.0.0.1', userAgent: 'bench' },
  );
  return {
    token: signedIn.token,
    principal: {
      via: 'session',
      user: signedIn.user,
      sessionId: signedIn.id,
      expiresAt: signedIn.expiresAt,
      csrfToken: signedIn.csrfToken,
      fromCookie: false,
    },
  };
}

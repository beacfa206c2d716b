import type { Config } from '../config.js';
import type { Clock } from '../platform/clock.js';
import type { AuthenticatedUser, Principal } from './principal.js';
import type { SessionsRepo } from './sessions.repo.js';
import { csrfTokenFor, randomToken, tokenHash } from './tokens.js';

// Recording every request's time would make each read a write; a minute is finer than any idle timeout.
const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  id: string;
  token: string;
  expiresAt: Date;
  csrfToken: string;
}

/** Server-side sessions: the database keeps only a hash of each token. */
export class SessionsService {
  constructor(
    private readonly repo: SessionsRepo,
    private readonly settings: Config['session'],
    private readonly clock: Clock,
  ) {}

  async start(
    userId: string,
    client: { ip: string | null; userAgent: string | null },
  ): Promise<NewSession> {
    const now = this.clock.now();
    const token = randomToken();
    const expiresAt = new Date(now.getTime() + this.settings.absoluteMs);
    const id = await this.repo.insert({
      userId,
      tokenHash: tokenHash(token),
      now,
      expiresAt,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    });
    return { id, token, expiresAt, csrfToken: csrfTokenFor(token) };
  }

  /** The session a token names, if it is live; an expired one is removed on sight. */
  async authenticate(token: string, fromCookie: boolean): Promise<Principal | null> {
    const row = await this.repo.findByTokenHash(tokenHash(token));
    if (!row || row.disabled_at) return null;
    const now = this.clock.now();
    const idleDeadline = row.last_seen_at.getTime() + this.settings.idleMs;
    if (row.expires_at.getTime() <= now.getTime() || idleDeadline <= now.getTime()) {
      await this.repo.delete(row.session_id);
      return null;
    }
    if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS)
      await this.repo.touch(row.session_id, now);
    const user: AuthenticatedUser = {
      id: row.user_id,
      email: row.email,
      name: row.name,
      isAdmin: row.is_admin,
      createdAt: row.user_created_at,
    };
    return {
      via: 'session',
      user,
      sessionId: row.session_id,
      expiresAt: row.expires_at,
      csrfToken: csrfTokenFor(token),
      fromCookie,
    };
  }

  end(sessionId: string): Promise<void> {
    return this.repo.delete(sessionId);
  }

  endAllFor(userId: string, keepSessionId?: string): Promise<number> {
    return this.repo.deleteForUser(userId, keepSessionId);
  }

  /** Removes sessions past either timeout; run periodically. */
  purgeExpired(): Promise<number> {
    const now = this.clock.now();
    return this.repo.deleteExpired(new Date(now.getTime() - this.settings.idleMs), now);
  }
}

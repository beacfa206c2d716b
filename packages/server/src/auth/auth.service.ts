import type { Clock } from '../platform/clock.js';
import { Forbidden, Unauthorized, ValidationFailed } from '../platform/errors.js';
import type { LoginThrottle } from './login-throttle.js';
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from './passwords.js';
import type { AuthenticatedUser, Principal } from './principal.js';
import type { NewSession, SessionsService } from './sessions.service.js';
import type { UsersRepo } from './users.repo.js';
import { userFromRow } from './views.js';

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

export interface SignedIn extends NewSession {
  user: AuthenticatedUser;
}

const BAD_CREDENTIALS = 'The email or password is wrong';

/** Accounts: sign-up, sign-in and out, password changes. */
export class AuthService {
  constructor(
    private readonly users: UsersRepo,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
  ) {}

  /** Creates an account and signs it in. */
  async register(
    input: { email: string; password: string; name: string },
    client: ClientInfo,
  ): Promise<SignedIn> {
    const passwordHash = await hashPassword(input.password);
    const row = await this.users.insert({
      email: input.email,
      name: input.name,
      passwordHash,
      now: this.clock.now(),
    });
    const session = await this.sessions.start(row.id, client);
    return { ...session, user: userFromRow(row) };
  }

  /**
   * Checks the password and starts a new session (a fresh token every time). Whether the
   * email exists is never told: both failures read the same and take the same time.
   */
  async login(
    input: { email: string; password: string },
    client: ClientInfo,
    previousSessionId?: string,
  ): Promise<SignedIn> {
    await this.throttle.assertAllowed(input.email, client.ip);
    const row = await this.users.findByEmail(input.email);
    const ok = row
      ? await verifyPassword(row.password_hash, input.password)
      : await verifyAgainstNothing(input.password);
    if (!row || !ok) {
      await this.throttle.recordFailure(input.email, client.ip);
      throw new Unauthorized(BAD_CREDENTIALS);
    }
    if (row.disabled_at)
      throw new Unauthorized('This account is disabled; contact your SwiftCloud provider');
    await this.throttle.recordSuccess(input.email);
    if (needsRehash(row.password_hash)) {
      await this.users.update(row.id, {
        passwordHash: await hashPassword(input.password),
        now: this.clock.now(),
      });
    }
    // A session the browser already held is replaced, never carried over into the new sign-in.
    if (previousSessionId) await this.sessions.end(previousSessionId);
    const session = await this.sessions.start(row.id, client);
    return { ...session, user: userFromRow(row) };
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.via !== 'session')
      throw new Forbidden('API keys cannot sign out; revoke the key instead');
    await this.sessions.end(principal.sessionId);
  }

  /** Changes the password and ends every other session of the account; answers how many ended. */
  async changePassword(
    principal: Principal,
    currentPassword: string,
    newPassword: string,
  ): Promise<number> {
    if (principal.via !== 'session')
      throw new Forbidden('Change the password from a signed-in session, not with an API key');
    const row = await this.users.findById(principal.user.id);
    if (!row || !(await verifyPassword(row.password_hash, currentPassword))) {
      throw ValidationFailed.field('current_password', 'The current password is wrong');
    }
    if (currentPassword === newPassword) {
      throw ValidationFailed.field(
        'new_password',
        'The new password must differ from the current one',
      );
    }
    await this.users.update(row.id, {
      passwordHash: await hashPassword(newPassword),
      now: this.clock.now(),
    });
    return this.sessions.endAllFor(row.id, principal.sessionId);
  }
}

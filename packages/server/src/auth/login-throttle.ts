import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../platform/clock.js';
import { RateLimited } from '../platform/errors.js';

/**
 * Counts failed sign-ins per account and per client address in a fixed window, in the
 * database so that every API instance sees the same counts.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly settings: Config['loginThrottle'],
    private readonly clock: Clock,
  ) {}

  private keys(email: string, ip: string): { key: string; max: number }[] {
    return [
      { key: `account:${email.toLowerCase()}`, max: this.settings.maxPerAccount },
      { key: `ip:${ip}`, max: this.settings.maxPerIp },
    ];
  }

  /** Throws RATE_LIMITED while either the account or the address has used up its failures. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    const keys = this.keys(email, ip);
    const rows = await this.db
      .selectFrom('login_throttle')
      .select(['key', 'failures', 'window_started_at'])
      .where(
        'key',
        'in',
        keys.map((k) => k.key),
      )
      .execute();
    let retryAfterMs = 0;
    for (const row of rows) {
      const max = keys.find((k) => k.key === row.key)?.max ?? Infinity;
      const windowEnds = row.window_started_at.getTime() + this.settings.windowMs;
      if (row.failures >= max && windowEnds > now)
        retryAfterMs = Math.max(retryAfterMs, windowEnds - now);
    }
    if (retryAfterMs > 0) {
      const seconds = Math.ceil(retryAfterMs / 1000);
      throw new RateLimited(
        `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minute(s)`,
        seconds,
      );
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.settings.windowMs);
    for (const { key } of this.keys(email, ip)) {
      await this.db
        .insertInto('login_throttle')
        .values({ key, failures: 1, window_started_at: now })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql`case when login_throttle.window_started_at <= ${windowStart} then 1 else login_throttle.failures + 1 end`,
            window_started_at: sql`case when login_throttle.window_started_at <= ${windowStart} then ${now} else login_throttle.window_started_at end`,
          }),
        )
        .execute();
    }
  }

  /** A successful sign-in clears the account's count (the address keeps its own). */
  async recordSuccess(email: string): Promise<void> {
    await this.db
      .deleteFrom('login_throttle')
      .where('key', '=', `account:${email.toLowerCase()}`)
      .execute();
  }
}

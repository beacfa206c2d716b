import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../platform/clock.js';
import { RateLimited } from '../platform/errors.js';

/**
 * Counts top-up attempts per user and per project in a fixed window, in the database so
 * that every API instance sees the same counts: coupon codes are not to be guessed.
 */
export class TopupThrottle {
  constructor(
    private readonly db: Db,
    private readonly settings: Config['billing']['topupThrottle'],
    private readonly clock: Clock,
  ) {}

  /** Counts one attempt; throws RATE_LIMITED when the user or the project is past its limit. */
  async take(userId: string, projectId: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.settings.windowMs);
    let retryAfterMs = 0;
    for (const { key, max } of [
      { key: `user:${userId}`, max: this.settings.maxPerUser },
      { key: `project:${projectId}`, max: this.settings.maxPerProject },
    ]) {
      const row = await this.db
        .insertInto('topup_throttle')
        .values({ key, attempts: 1, window_started_at: now })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            attempts: sql`case when topup_throttle.window_started_at <= ${windowStart} then 1 else topup_throttle.attempts + 1 end`,
            window_started_at: sql`case when topup_throttle.window_started_at <= ${windowStart} then ${now} else topup_throttle.window_started_at end`,
          }),
        )
        .returning(['attempts', 'window_started_at'])
        .executeTakeFirstOrThrow();
      if (row.attempts > max) {
        const ends = row.window_started_at.getTime() + this.settings.windowMs;
        retryAfterMs = Math.max(retryAfterMs, ends - now.getTime());
      }
    }
    if (retryAfterMs > 0) {
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new RateLimited(
        `Too many top-up attempts; try again in ${Math.ceil(seconds / 60)} minute(s)`,
        seconds,
      );
    }
  }
}

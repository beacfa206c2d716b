import type { Db } from '../db/database.js';

export interface SessionWithUser {
  session_id: string;
  expires_at: Date;
  last_seen_at: Date;
  user_id: string;
  email: string;
  name: string;
  is_admin: boolean;
  disabled_at: Date | null;
  user_created_at: Date;
}

export class SessionsRepo {
  constructor(private readonly db: Db) {}

  async insert(s: {
    userId: string;
    tokenHash: string;
    now: Date;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  }): Promise<string> {
    const row = await this.db
      .insertInto('sessions')
      .values({
        user_id: s.userId,
        token_hash: s.tokenHash,
        created_at: s.now,
        last_seen_at: s.now,
        expires_at: s.expiresAt,
        ip: s.ip,
        user_agent: s.userAgent,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  findByTokenHash(hash: string): Promise<SessionWithUser | undefined> {
    return this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        's.id as session_id',
        's.expires_at',
        's.last_seen_at',
        'u.id as user_id',
        'u.email',
        'u.name',
        'u.is_admin',
        'u.disabled_at',
        'u.created_at as user_created_at',
      ])
      .where('s.token_hash', '=', hash)
      .executeTakeFirst();
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user but `keepId`; answers how many ended. */
  async deleteForUser(userId: string, keepId?: string): Promise<number> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keepId) q = q.where('id', '!=', keepId);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteExpired(idleCutoff: Date, now: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

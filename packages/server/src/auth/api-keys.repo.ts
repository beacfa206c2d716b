import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { paginate } from '../db/paginate.js';
import type { ApiKeysTable } from '../db/schema.js';

export interface ApiKeyRow {
  id: string;
  user_id: string;
  project_id: string | null;
  name: string;
  prefix: string;
  scope: ApiKeysTable['scope'];
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export interface ApiKeyWithUser extends ApiKeyRow {
  email: string;
  user_name: string;
  is_admin: boolean;
  disabled_at: Date | null;
  user_created_at: Date;
}

const RETURNED = [
  'id',
  'user_id',
  'project_id',
  'name',
  'prefix',
  'scope',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'created_at',
] as const;
const COLUMNS = [
  'k.id',
  'k.user_id',
  'k.project_id',
  'k.name',
  'k.prefix',
  'k.scope',
  'k.expires_at',
  'k.last_used_at',
  'k.revoked_at',
  'k.created_at',
] as const;

export class ApiKeysRepo {
  constructor(private readonly db: Db) {}

  insert(k: {
    userId: string;
    projectId: string | null;
    name: string;
    prefix: string;
    keyHash: string;
    scope: ApiKeyRow['scope'];
    expiresAt: Date | null;
    now: Date;
  }): Promise<ApiKeyRow> {
    return this.db
      .insertInto('api_keys')
      .values({
        user_id: k.userId,
        project_id: k.projectId,
        name: k.name,
        prefix: k.prefix,
        key_hash: k.keyHash,
        scope: k.scope,
        expires_at: k.expiresAt,
        last_used_at: null,
        revoked_at: null,
        created_at: k.now,
      })
      .returning(RETURNED)
      .executeTakeFirstOrThrow();
  }

  findByHash(hash: string): Promise<ApiKeyWithUser | undefined> {
    return this.db
      .selectFrom('api_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .select([
        ...COLUMNS,
        'u.email',
        'u.name as user_name',
        'u.is_admin',
        'u.disabled_at',
        'u.created_at as user_created_at',
      ])
      .where('k.key_hash', '=', hash)
      .executeTakeFirst();
  }

  listActive(userId: string, page: Pagination): Promise<{ rows: ApiKeyRow[]; total: number }> {
    const query = this.db
      .selectFrom('api_keys as k')
      .select(COLUMNS)
      .where('k.user_id', '=', userId)
      .where('k.revoked_at', 'is', null)
      .orderBy('k.created_at', 'desc')
      .orderBy('k.id');
    return paginate(query, page);
  }

  async countActive(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Revokes a live key of this user; false when there is none. */
  async revoke(userId: string, id: string, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}

import { sql } from 'kysely';
import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { paginate } from '../db/paginate.js';
import { Conflict } from '../platform/errors.js';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_admin: boolean;
  disabled_at: Date | null;
  created_at: Date;
}

const COLUMNS = [
  'id',
  'email',
  'name',
  'password_hash',
  'is_admin',
  'disabled_at',
  'created_at',
] as const;

export class UsersRepo {
  constructor(private readonly db: Db) {}

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(COLUMNS)
      .where(sql`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst();
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async insert(user: {
    email: string;
    name: string;
    passwordHash: string;
    isAdmin?: boolean;
    now: Date;
  }): Promise<UserRow> {
    try {
      return await this.db
        .insertInto('users')
        .values({
          email: user.email,
          name: user.name,
          password_hash: user.passwordHash,
          is_admin: user.isAdmin ?? false,
          disabled_at: null,
          created_at: user.now,
          updated_at: user.now,
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new Conflict('An account with this email already exists; sign in instead', [
          { field: 'email', message: 'Already registered' },
        ]);
      throw err;
    }
  }

  async update(
    id: string,
    changes: { passwordHash?: string; isAdmin?: boolean; disabledAt?: Date | null; now: Date },
  ): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set({
        ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
        ...(changes.isAdmin !== undefined ? { is_admin: changes.isAdmin } : {}),
        ...(changes.disabledAt !== undefined ? { disabled_at: changes.disabledAt } : {}),
        updated_at: changes.now,
      })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
  }

  list(
    filter: { emailContains?: string | undefined },
    page: Pagination,
  ): Promise<{ rows: UserRow[]; total: number }> {
    let query = this.db.selectFrom('users').select(COLUMNS);
    if (filter.emailContains) {
      const escaped = filter.emailContains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      query = query.where(sql`lower(email)`, 'like', `%${escaped}%`);
    }
    return paginate(query.orderBy('created_at', 'asc').orderBy('id'), page);
  }
}

import type { Pagination, ProjectRole } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { paginate } from '../db/paginate.js';
import { Conflict } from '../platform/errors.js';

export interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: ProjectRole;
  created_at: Date;
}

export class MembersRepo {
  constructor(private readonly db: Db) {}

  private members(projectId: string) {
    return this.db
      .selectFrom('project_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
      .where('m.project_id', '=', projectId);
  }

  list(projectId: string, page: Pagination): Promise<{ rows: MemberRow[]; total: number }> {
    return paginate(this.members(projectId).orderBy('m.created_at').orderBy('m.user_id'), page);
  }

  find(projectId: string, userId: string): Promise<MemberRow | undefined> {
    return this.members(projectId).where('m.user_id', '=', userId).executeTakeFirst();
  }

  async add(projectId: string, userId: string, role: ProjectRole, now: Date): Promise<void> {
    try {
      await this.db
        .insertInto('project_members')
        .values({ project_id: projectId, user_id: userId, role, created_at: now })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new Conflict(
          'This person is already a member of the project; change their role instead',
          [{ field: 'email', message: 'Already a member' }],
        );
      throw err;
    }
  }

  /**
   * Changes a member's role, or removes them (role null), refusing to leave the project
   * without an owner. The owners' rows are locked first, so two owners demoting each other
   * at once cannot both succeed.
   */
  async change(
    projectId: string,
    userId: string,
    role: ProjectRole | null,
  ): Promise<'done' | 'not_member' | 'last_owner'> {
    return this.db.transaction().execute(async (tx) => {
      const owners = await tx
        .selectFrom('project_members')
        .select('user_id')
        .where('project_id', '=', projectId)
        .where('role', '=', 'owner')
        .forUpdate()
        .execute();
      const current = await tx
        .selectFrom('project_members')
        .select('role')
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) return 'not_member';
      if (current.role === 'owner' && role !== 'owner' && owners.length <= 1) return 'last_owner';
      if (role === null) {
        await tx
          .deleteFrom('project_members')
          .where('project_id', '=', projectId)
          .where('user_id', '=', userId)
          .execute();
      } else {
        await tx
          .updateTable('project_members')
          .set({ role })
          .where('project_id', '=', projectId)
          .where('user_id', '=', userId)
          .execute();
      }
      return 'done';
    });
  }
}

import { sql, type Expression, type SqlBool } from 'kysely';
import type { Pagination, ProjectRole } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { paginate } from '../db/paginate.js';

export interface ProjectRow {
  id: string;
  name: string;
  description: string;
  balance_ngwee: number;
  created_at: Date;
  role: ProjectRole;
  resource_count: number;
}

/**
 * How many billable resources a project holds. Each module that adds resources (VMs,
 * domains) adds its count here, so that listing and deletion see them all.
 */
const resourceCount = sql<number>`(
  (select count(*) from domains d where d.project_id = p.id)
  + (select count(*) from vms v where v.project_id = p.id and v.deleted_at is null)
)`;

export class ProjectsRepo {
  constructor(private readonly db: Db) {}

  private forUser(userId: string) {
    return this.db
      .selectFrom('projects as p')
      .innerJoin('project_members as m', (j) =>
        j.onRef('m.project_id', '=', 'p.id').on('m.user_id', '=', userId),
      )
      .select([
        'p.id',
        'p.name',
        'p.description',
        'p.balance_ngwee',
        'p.created_at',
        'm.role',
        resourceCount.as('resource_count'),
      ]);
  }

  list(
    userId: string,
    onlyProjectId: string | null,
    page: Pagination,
  ): Promise<{ rows: ProjectRow[]; total: number }> {
    let q = this.forUser(userId);
    if (onlyProjectId) q = q.where('p.id', '=', onlyProjectId);
    return paginate(q.orderBy('p.created_at', 'desc').orderBy('p.id'), page);
  }

  getForUser(userId: string, projectId: string): Promise<ProjectRow | undefined> {
    return this.forUser(userId).where('p.id', '=', projectId).executeTakeFirst();
  }

  async roleOf(userId: string, projectId: string): Promise<ProjectRole | undefined> {
    const row = await this.db
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role;
  }

  /** Creates the project with its creator as owner, in one transaction. */
  async create(p: {
    name: string;
    description: string;
    ownerId: string;
    now: Date;
  }): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      const { id } = await tx
        .insertInto('projects')
        .values({ name: p.name, description: p.description, created_at: p.now, updated_at: p.now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('project_members')
        .values({ project_id: id, user_id: p.ownerId, role: 'owner', created_at: p.now })
        .execute();
      return id;
    });
  }

  async update(
    projectId: string,
    changes: { name?: string | undefined; description?: string | undefined; now: Date },
  ): Promise<void> {
    await this.db
      .updateTable('projects')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        updated_at: changes.now,
      })
      .where('id', '=', projectId)
      .execute();
  }

  /**
   * Deletes the project only while it holds no resources and no money, checked in the same
   * statement so that nothing created meanwhile is orphaned. False when it was refused.
   */
  async deleteIfEmpty(projectId: string): Promise<boolean> {
    const empty: Expression<SqlBool> = sql<SqlBool>`${resourceCount} = 0`;
    const r = await this.db
      .deleteFrom('projects as p')
      .where('p.id', '=', projectId)
      .where('p.balance_ngwee', '=', 0)
      .where(empty)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

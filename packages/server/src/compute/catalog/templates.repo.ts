import type { OsFamily, Pagination } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { paginate } from '../../db/paginate.js';
import { Conflict } from '../../platform/errors.js';

export interface TemplateRow {
  id: string;
  slug: string;
  name: string;
  os_family: OsFamily;
  min_disk_gib: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface TemplateSourceRow {
  template_id: string;
  node_id: string;
  node_name: string;
  source: string;
}

export interface TemplateValues {
  slug: string;
  name: string;
  osFamily: OsFamily;
  minDiskGiB: number;
  active: boolean;
}

export interface SourceValue {
  nodeId: string;
  source: string;
}

const COLUMNS = [
  'id',
  'slug',
  'name',
  'os_family',
  'min_disk_gib',
  'active',
  'created_at',
  'updated_at',
] as const;

export class TemplatesRepo {
  constructor(private readonly db: Db) {}

  list(
    filter: { activeOnly: boolean },
    page: Pagination,
  ): Promise<{ rows: TemplateRow[]; total: number }> {
    let q = this.db.selectFrom('templates').select(COLUMNS);
    if (filter.activeOnly) q = q.where('active', '=', true);
    return paginate(q.orderBy('slug').orderBy('id'), page);
  }

  find(id: string): Promise<TemplateRow | undefined> {
    return this.db.selectFrom('templates').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  findBySlug(slug: string): Promise<TemplateRow | undefined> {
    return this.db
      .selectFrom('templates')
      .select(COLUMNS)
      .where('slug', '=', slug)
      .executeTakeFirst();
  }

  /** The sources of the given templates, with their nodes' names. */
  sourcesOf(templateIds: readonly string[]): Promise<TemplateSourceRow[]> {
    if (templateIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('template_sources as s')
      .innerJoin('nodes as n', 'n.id', 's.node_id')
      .select(['s.template_id', 's.node_id', 'n.name as node_name', 's.source'])
      .where('s.template_id', 'in', templateIds)
      .orderBy('n.name')
      .execute();
  }

  /** The node's own name for the template, or undefined when the node has none. */
  async sourceOn(templateId: string, nodeId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('template_sources')
      .select('source')
      .where('template_id', '=', templateId)
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    return row?.source;
  }

  /** Creates the template with its sources in one transaction. */
  async create(v: TemplateValues, sources: readonly SourceValue[], now: Date): Promise<string> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const { id } = await tx
          .insertInto('templates')
          .values({
            slug: v.slug,
            name: v.name,
            os_family: v.osFamily,
            min_disk_gib: v.minDiskGiB,
            active: v.active,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await replaceSources(tx, id, sources);
        return id;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'templates_slug_key'))
        throw new Conflict(`A template with slug ${v.slug} exists already`, [
          { field: 'slug', message: 'Already used by another template' },
        ]);
      throw err;
    }
  }

  /** Changes the template; `sources`, when given, replace all of its sources. False when it is gone. */
  async update(
    id: string,
    c: Partial<Omit<TemplateValues, 'slug'>>,
    sources: readonly SourceValue[] | undefined,
    now: Date,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('templates')
        .set({
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.osFamily !== undefined ? { os_family: c.osFamily } : {}),
          ...(c.minDiskGiB !== undefined ? { min_disk_gib: c.minDiskGiB } : {}),
          ...(c.active !== undefined ? { active: c.active } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      if (sources) await replaceSources(tx, id, sources);
      return true;
    });
  }

  async setSource(templateId: string, nodeId: string, source: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('template_sources')
        .values({ template_id: templateId, node_id: nodeId, source })
        .onConflict((oc) => oc.columns(['template_id', 'node_id']).doUpdateSet({ source }))
        .execute();
      await touch(tx, templateId, now);
    });
  }

  /** False when the template had no source on the node. */
  async removeSource(templateId: string, nodeId: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .deleteFrom('template_sources')
        .where('template_id', '=', templateId)
        .where('node_id', '=', nodeId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await touch(tx, templateId, now);
      return true;
    });
  }

  /** A template VMs still use is a CONFLICT (set it inactive instead). False when it is gone. */
  async delete(id: string): Promise<boolean> {
    try {
      const r = await this.db.deleteFrom('templates').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    } catch (err) {
      if (isForeignKeyViolation(err))
        throw new Conflict('VMs still use this template; set it inactive instead');
      throw err;
    }
  }
}

async function replaceSources(tx: Db, templateId: string, sources: readonly SourceValue[]) {
  await tx.deleteFrom('template_sources').where('template_id', '=', templateId).execute();
  if (sources.length === 0) return;
  await tx
    .insertInto('template_sources')
    .values(sources.map((s) => ({ template_id: templateId, node_id: s.nodeId, source: s.source })))
    .execute();
}

async function touch(tx: Db, templateId: string, now: Date) {
  await tx.updateTable('templates').set({ updated_at: now }).where('id', '=', templateId).execute();
}

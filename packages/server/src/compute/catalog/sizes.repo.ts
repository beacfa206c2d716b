import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { paginate } from '../../db/paginate.js';
import { Conflict } from '../../platform/errors.js';

export interface SizeRow {
  id: string;
  slug: string;
  vcpus: number;
  memory_mib: number;
  disk_gib: number;
  hourly_price_micro_ngwee: number;
  monthly_cap_ngwee: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface SizeValues {
  slug: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  hourlyPriceMicroNgwee: number;
  monthlyCapNgwee: number;
  active: boolean;
}

const COLUMNS = [
  'id',
  'slug',
  'vcpus',
  'memory_mib',
  'disk_gib',
  'hourly_price_micro_ngwee',
  'monthly_cap_ngwee',
  'active',
  'created_at',
  'updated_at',
] as const;

export class SizesRepo {
  constructor(private readonly db: Db) {}

  /** Cheapest first, as customers compare them. */
  list(
    filter: { activeOnly: boolean },
    page: Pagination,
  ): Promise<{ rows: SizeRow[]; total: number }> {
    let q = this.db.selectFrom('sizes').select(COLUMNS);
    if (filter.activeOnly) q = q.where('active', '=', true);
    return paginate(q.orderBy('hourly_price_micro_ngwee').orderBy('slug').orderBy('id'), page);
  }

  find(id: string): Promise<SizeRow | undefined> {
    return this.db.selectFrom('sizes').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  findBySlug(slug: string): Promise<SizeRow | undefined> {
    return this.db.selectFrom('sizes').select(COLUMNS).where('slug', '=', slug).executeTakeFirst();
  }

  async create(v: SizeValues, now: Date): Promise<SizeRow> {
    try {
      return await this.db
        .insertInto('sizes')
        .values({
          slug: v.slug,
          vcpus: v.vcpus,
          memory_mib: v.memoryMiB,
          disk_gib: v.diskGiB,
          hourly_price_micro_ngwee: v.hourlyPriceMicroNgwee,
          monthly_cap_ngwee: v.monthlyCapNgwee,
          active: v.active,
          created_at: now,
          updated_at: now,
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err, 'sizes_slug_key'))
        throw new Conflict(`A size with slug ${v.slug} exists already`, [
          { field: 'slug', message: 'Already used by another size' },
        ]);
      throw err;
    }
  }

  update(
    id: string,
    c: Partial<Omit<SizeValues, 'slug'>>,
    now: Date,
  ): Promise<SizeRow | undefined> {
    return this.db
      .updateTable('sizes')
      .set({
        ...(c.vcpus !== undefined ? { vcpus: c.vcpus } : {}),
        ...(c.memoryMiB !== undefined ? { memory_mib: c.memoryMiB } : {}),
        ...(c.diskGiB !== undefined ? { disk_gib: c.diskGiB } : {}),
        ...(c.hourlyPriceMicroNgwee !== undefined
          ? { hourly_price_micro_ngwee: c.hourlyPriceMicroNgwee }
          : {}),
        ...(c.monthlyCapNgwee !== undefined ? { monthly_cap_ngwee: c.monthlyCapNgwee } : {}),
        ...(c.active !== undefined ? { active: c.active } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
  }

  /** A size VMs still use is a CONFLICT (set it inactive instead). False when it is gone. */
  async delete(id: string): Promise<boolean> {
    try {
      const r = await this.db.deleteFrom('sizes').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    } catch (err) {
      if (isForeignKeyViolation(err))
        throw new Conflict('VMs still use this size; set it inactive instead');
      throw err;
    }
  }
}

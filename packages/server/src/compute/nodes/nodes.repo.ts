import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { paginate } from '../../db/paginate.js';
import { Conflict } from '../../platform/errors.js';
import type { DriverName } from '../hypervisor/port.js';

export interface NodeRow {
  id: string;
  name: string;
  driver: DriverName;
  endpoint: string;
  credentials: Record<string, string>;
  cpus: number;
  memory_mib: number;
  disk_gib: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = [
  'id',
  'name',
  'driver',
  'endpoint',
  'credentials',
  'cpus',
  'memory_mib',
  'disk_gib',
  'active',
  'created_at',
  'updated_at',
] as const;

export interface NodeValues {
  name: string;
  driver: DriverName;
  endpoint: string;
  credentials: Record<string, string>;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  active: boolean;
}

function nameTaken(err: unknown, name: string | undefined): never {
  if (isUniqueViolation(err, 'nodes_name_key'))
    throw new Conflict(`A node named ${name} exists already`, [
      { field: 'name', message: 'Already used by another node' },
    ]);
  throw err;
}

/** Hypervisor nodes; the only code that reads their credentials. */
export class NodesRepo {
  constructor(private readonly db: Db) {}

  list(page: Pagination): Promise<{ rows: NodeRow[]; total: number }> {
    return paginate(
      this.db.selectFrom('nodes').select(COLUMNS).orderBy('name').orderBy('id'),
      page,
    );
  }

  find(id: string): Promise<NodeRow | undefined> {
    return this.db.selectFrom('nodes').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  /** The ids among `ids` that name no node. */
  async missing(ids: readonly string[], db: Db = this.db): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await db.selectFrom('nodes').select('id').where('id', 'in', ids).execute();
    const known = new Set(found.map((r) => r.id));
    return ids.filter((id) => !known.has(id));
  }

  async create(v: NodeValues, now: Date, db: Db = this.db): Promise<NodeRow> {
    try {
      return await db
        .insertInto('nodes')
        .values({
          name: v.name,
          driver: v.driver,
          endpoint: v.endpoint,
          credentials: JSON.stringify(v.credentials),
          cpus: v.cpus,
          memory_mib: v.memoryMiB,
          disk_gib: v.diskGiB,
          active: v.active,
          created_at: now,
          updated_at: now,
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
    } catch (err) {
      return nameTaken(err, v.name);
    }
  }

  async update(
    id: string,
    changes: Partial<Omit<NodeValues, 'driver'>>,
    now: Date,
  ): Promise<NodeRow | undefined> {
    const c = changes;
    try {
      return await this.db
        .updateTable('nodes')
        .set({
          ...(c.name !== undefined ? { name: c.name } : {}),
          ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
          ...(c.credentials !== undefined ? { credentials: JSON.stringify(c.credentials) } : {}),
          ...(c.cpus !== undefined ? { cpus: c.cpus } : {}),
          ...(c.memoryMiB !== undefined ? { memory_mib: c.memoryMiB } : {}),
          ...(c.diskGiB !== undefined ? { disk_gib: c.diskGiB } : {}),
          ...(c.active !== undefined ? { active: c.active } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .returning(COLUMNS)
        .executeTakeFirst();
    } catch (err) {
      return nameTaken(err, c.name);
    }
  }

  /**
   * Deletes the node with its template sources and IP pool memberships. A node something
   * else still refers to (its VMs) is a CONFLICT. False when there was no such node.
   */
  async delete(id: string): Promise<boolean> {
    try {
      const r = await this.db.deleteFrom('nodes').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    } catch (err) {
      if (isForeignKeyViolation(err))
        throw new Conflict('The node still has VMs; move or delete them, or set it inactive');
      throw err;
    }
  }
}

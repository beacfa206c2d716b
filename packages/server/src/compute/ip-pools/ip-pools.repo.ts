import { sql, type ExpressionBuilder } from 'kysely';
import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { paginate } from '../../db/paginate.js';
import type { Database } from '../../db/schema.js';
import { Conflict } from '../../platform/errors.js';
import { formatCidr, formatIpv4 } from './ipv4.js';
import type { PoolLayout } from './pool-layout.js';

export interface PoolRow {
  id: string;
  name: string;
  network: number;
  prefix: number;
  gateway: number;
  range_first: number;
  range_last: number;
  public: boolean;
  created_at: Date;
  updated_at: Date;
  node_ids: string[];
  addresses: number;
  allocated: number;
}

export interface NewPool {
  name: string;
  layout: PoolLayout;
  public: boolean;
  nodeIds: readonly string[];
}

const nameTaken = (name: string) =>
  new Conflict(`An IP pool named ${name} exists already`, [
    { field: 'name', message: 'Already used by another IP pool' },
  ]);

// Pools are created and resized one at a time, so the overlap check cannot race.
const POOL_LAYOUT_LOCK = sql`select pg_advisory_xact_lock(hashtext('swiftcloud.ip_pools.layout'))`;

function pools(db: Db) {
  return db.selectFrom('ip_pools as p').select([
    'p.id',
    'p.name',
    'p.network',
    'p.prefix',
    'p.gateway',
    'p.range_first',
    'p.range_last',
    'p.public',
    'p.created_at',
    'p.updated_at',
    sql<string[]>`coalesce((select array_agg(pn.node_id::text order by pn.node_id)
        from ip_pool_nodes pn where pn.pool_id = p.id), '{}')`.as('node_ids'),
    sql<number>`(select count(*) from ip_addresses a where a.pool_id = p.id)`.as('addresses'),
    sql<number>`(select count(*) from ip_addresses a
        where a.pool_id = p.id and a.allocated_at is not null)`.as('allocated'),
  ]);
}

/**
 * Makes the pool's address rows match its layout. Free rows outside it go first: deleting
 * waits for any allocation holding one, so the check for allocated rows outside the layout
 * that follows sees every allocation that won. Such rows refuse the change (a CONFLICT).
 */
async function syncAddresses(tx: Db, poolId: string, l: PoolLayout): Promise<void> {
  await tx
    .deleteFrom('ip_addresses')
    .where('pool_id', '=', poolId)
    .where('allocated_at', 'is', null)
    .where((eb) => outside(eb, l))
    .execute();
  await refuseStrandedAddresses(tx, poolId, l);
  await sql`
    insert into ip_addresses (pool_id, address)
    select ${poolId}::uuid, n from generate_series(${l.rangeFirst}::bigint, ${l.rangeLast}::bigint) n
    where n <> ${l.gateway}::bigint
    on conflict do nothing`.execute(tx);
}

function outside(eb: ExpressionBuilder<Database, 'ip_addresses'>, l: PoolLayout) {
  return eb.or([
    eb('address', '<', l.rangeFirst),
    eb('address', '>', l.rangeLast),
    eb('address', '=', l.gateway),
  ]);
}

async function replaceNodes(tx: Db, poolId: string, nodeIds: readonly string[]): Promise<void> {
  await tx.deleteFrom('ip_pool_nodes').where('pool_id', '=', poolId).execute();
  if (nodeIds.length === 0) return;
  await tx
    .insertInto('ip_pool_nodes')
    .values([...new Set(nodeIds)].map((node_id) => ({ pool_id: poolId, node_id })))
    .execute();
}

/**
 * Adds a pool with its nodes and one row per address it hands out, inside the caller's
 * transaction. A pool whose network overlaps another's is a CONFLICT on `cidr`.
 */
export async function insertPool(tx: Db, p: NewPool, now: Date): Promise<string> {
  await POOL_LAYOUT_LOCK.execute(tx);
  const { cidr } = p.layout;
  const clash = await tx
    .selectFrom('ip_pools')
    .select(['name', 'network', 'prefix'])
    .where('network', '<=', cidr.broadcast)
    .where(sql<boolean>`network + (1::bigint << (32 - prefix)) - 1 >= ${cidr.network}::bigint`)
    .orderBy('network')
    .executeTakeFirst();
  if (clash) {
    const message = `${formatCidr(cidr)} overlaps IP pool ${clash.name} (${formatCidr(clash)})`;
    throw new Conflict(message, [{ field: 'cidr', message }]);
  }
  const { id } = await tx
    .insertInto('ip_pools')
    .values({
      name: p.name,
      network: cidr.network,
      prefix: cidr.prefix,
      gateway: p.layout.gateway,
      range_first: p.layout.rangeFirst,
      range_last: p.layout.rangeLast,
      public: p.public,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replaceNodes(tx, id, p.nodeIds);
  await syncAddresses(tx, id, p.layout);
  return id;
}

/** IP pools and their address rows (the IpAllocator hands the addresses out). */
export class IpPoolsRepo {
  constructor(private readonly db: Db) {}

  list(page: Pagination): Promise<{ rows: PoolRow[]; total: number }> {
    return paginate(pools(this.db).orderBy('p.name').orderBy('p.id'), page);
  }

  find(id: string): Promise<PoolRow | undefined> {
    return pools(this.db).where('p.id', '=', id).executeTakeFirst();
  }

  async create(p: NewPool, now: Date): Promise<string> {
    try {
      return await this.db.transaction().execute((tx) => insertPool(tx, p, now));
    } catch (err) {
      if (isUniqueViolation(err, 'ip_pools_name_key')) throw nameTaken(p.name);
      throw err;
    }
  }

  /**
   * Changes a pool. A new layout must keep every allocated address (a CONFLICT naming the
   * first few otherwise); free addresses outside it are dropped and new ones added. False
   * when the pool is gone.
   */
  async update(
    id: string,
    c: { name?: string | undefined; layout?: PoolLayout; nodeIds?: readonly string[] | undefined },
    now: Date,
  ): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        await POOL_LAYOUT_LOCK.execute(tx);
        const r = await tx
          .updateTable('ip_pools')
          .set({
            ...(c.name !== undefined ? { name: c.name } : {}),
            ...(c.layout
              ? {
                  gateway: c.layout.gateway,
                  range_first: c.layout.rangeFirst,
                  range_last: c.layout.rangeLast,
                }
              : {}),
            updated_at: now,
          })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        if (c.layout) await syncAddresses(tx, id, c.layout);
        if (c.nodeIds) await replaceNodes(tx, id, c.nodeIds);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'ip_pools_name_key')) throw nameTaken(c.name ?? '');
      throw err;
    }
  }

  /** Deletes a pool none of whose addresses is allocated; false when it is gone. */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const pool = await tx
        .selectFrom('ip_pools')
        .select('name')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!pool) return false;
      // Free rows first: deleting waits for an allocation holding one, and the count that
      // follows sees every allocation that won.
      await tx
        .deleteFrom('ip_addresses')
        .where('pool_id', '=', id)
        .where('allocated_at', 'is', null)
        .execute();
      const { n } = await tx
        .selectFrom('ip_addresses')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('pool_id', '=', id)
        .executeTakeFirstOrThrow();
      if (Number(n) > 0)
        throw new Conflict(
          `IP pool ${pool.name} still has ${n} allocated address(es); release them first`,
        );
      await tx.deleteFrom('ip_pools').where('id', '=', id).execute();
      return true;
    });
  }
}

async function refuseStrandedAddresses(tx: Db, poolId: string, l: PoolLayout): Promise<void> {
  const stranded = await tx
    .selectFrom('ip_addresses')
    .select('address')
    .where('pool_id', '=', poolId)
    .where('allocated_at', 'is not', null)
    .where((eb) => outside(eb, l))
    .orderBy('address')
    .limit(5)
    .execute();
  const first = stranded[0];
  if (!first) return;
  const field =
    first.address === l.gateway
      ? 'gateway'
      : first.address < l.rangeFirst
        ? 'range_first'
        : 'range_last';
  const list = stranded.map((s) => formatIpv4(s.address)).join(', ');
  const message = `Allocated addresses would fall outside the pool (${list}); release them first`;
  throw new Conflict(message, [{ field, message }]);
}

import type { Db } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import { Unavailable } from '../../platform/errors.js';
import { formatIpv4, parseIpv4 } from './ipv4.js';

export interface IpAllocation {
  poolId: string;
  /** The address alone, e.g. `198.51.100.10`. */
  address: string;
  /** The pool's prefix length, e.g. 24. */
  prefix: number;
  gateway: string;
}

/**
 * Hands out IPv4 addresses from the pools that serve a node.
 *
 * Every address a pool may hand out has a row in ip_addresses (free while allocated_at is
 * null). Allocation takes the lowest free row of the first pool (by name) serving the node
 * with `SELECT ... FOR UPDATE SKIP LOCKED` and marks it, inside the caller's transaction: a
 * row another transaction holds is skipped rather than waited for, so concurrent
 * allocations never share an address and never queue behind each other, and the address
 * returns to the pool if the caller's transaction rolls back. Network, broadcast and
 * gateway addresses have no rows, so they are never handed out.
 */
export class IpAllocator {
  constructor(private readonly clock: Clock) {}

  /**
   * Takes a free address (a public or a private one) for a VM on the node, in `tx`, which
   * should be the transaction that records the VM. No free address: RESOURCE_UNAVAILABLE
   * naming the pools that are full, or saying that no pool of the kind serves the node.
   */
  async allocate(tx: Db, want: { public: boolean; nodeId: string }): Promise<IpAllocation> {
    const candidates = await tx
      .selectFrom('ip_pools as p')
      .innerJoin('ip_pool_nodes as pn', 'pn.pool_id', 'p.id')
      .select(['p.id', 'p.name', 'p.prefix', 'p.gateway'])
      .where('pn.node_id', '=', want.nodeId)
      .where('p.public', '=', want.public)
      .orderBy('p.name')
      .execute();
    for (const pool of candidates) {
      // Takes the lowest free address in one statement; a row another transaction holds is skipped.
      const taken = await tx
        .updateTable('ip_addresses')
        .set({ allocated_at: this.clock.now() })
        .where(
          'id',
          '=',
          tx
            .selectFrom('ip_addresses')
            .select('id')
            .where('pool_id', '=', pool.id)
            .where('allocated_at', 'is', null)
            .orderBy('address')
            .limit(1)
            .forUpdate()
            .skipLocked(),
        )
        .returning('address')
        .executeTakeFirst();
      if (!taken) continue;
      return {
        poolId: pool.id,
        address: formatIpv4(taken.address),
        prefix: pool.prefix,
        gateway: formatIpv4(pool.gateway),
      };
    }
    const kind = want.public ? 'public' : 'private';
    if (candidates.length === 0) {
      const node = await tx
        .selectFrom('nodes')
        .select('name')
        .where('id', '=', want.nodeId)
        .executeTakeFirst();
      throw new Unavailable(
        `No ${kind} IP pool serves node ${node?.name ?? want.nodeId}; an administrator must add one`,
      );
    }
    const names = candidates.map((p) => p.name).join(', ');
    throw new Unavailable(
      candidates.length === 1
        ? `IP pool ${names} has no free ${kind} addresses`
        : `IP pools ${names} have no free ${kind} addresses`,
    );
  }

  /** Returns the address (`198.51.100.10`, or with its prefix) to its pool, in `tx`. False when it was not allocated. */
  async release(tx: Db, address: string): Promise<boolean> {
    const n = parseIpv4(address.split('/')[0] ?? '');
    if (n === null) return false;
    const r = await tx
      .updateTable('ip_addresses')
      .set({ allocated_at: null })
      .where('address', '=', n)
      .where('allocated_at', 'is not', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

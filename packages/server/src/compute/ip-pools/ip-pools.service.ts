import type { CreateIpPoolBody, IpPool, Pagination, UpdateIpPoolBody } from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import { NotFound, ValidationFailed } from '../../platform/errors.js';
import type { NodesRepo } from '../nodes/nodes.repo.js';
import type { IpPoolsRepo, PoolRow } from './ip-pools.repo.js';
import { layoutInput, poolLayout } from './pool-layout.js';

function poolView(row: PoolRow): IpPool {
  const shown = layoutInput(row);
  return {
    id: row.id,
    name: row.name,
    cidr: shown.cidr,
    gateway: shown.gateway,
    rangeFirst: shown.rangeFirst,
    rangeLast: shown.rangeLast,
    public: row.public,
    nodeIds: row.node_ids,
    addresses: Number(row.addresses),
    allocated: Number(row.allocated),
    createdAt: apiTime(row.created_at),
    updatedAt: apiTime(row.updated_at),
  };
}

/** The IPv4 pools administrators define; the IpAllocator hands their addresses out. */
export class IpPoolsService {
  constructor(
    private readonly pools: IpPoolsRepo,
    private readonly nodes: NodesRepo,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async list(page: Pagination): Promise<{ data: IpPool[]; total: number }> {
    const { rows, total } = await this.pools.list(page);
    return { data: rows.map(poolView), total };
  }

  async get(id: string): Promise<IpPool> {
    return poolView(await this.load(id));
  }

  async create(actor: Principal, input: CreateIpPoolBody): Promise<IpPool> {
    const layout = poolLayout({
      cidr: input.cidr,
      gateway: input.gateway,
      rangeFirst: input.range_first,
      rangeLast: input.range_last,
    });
    const nodeIds = input.node_ids ?? [];
    await this.checkNodes(nodeIds);
    const id = await this.pools.create(
      { name: input.name, layout, public: input.public, nodeIds },
      this.clock.now(),
    );
    await this.record(actor, 'ip_pool.create', id, input);
    return this.get(id);
  }

  /** The network and kind are fixed; the gateway, range, name and nodes served may change. */
  async update(actor: Principal, id: string, input: UpdateIpPoolBody): Promise<IpPool> {
    const current = layoutInput(await this.load(id));
    const relayout =
      input.gateway !== undefined ||
      input.range_first !== undefined ||
      input.range_last !== undefined;
    const layout = relayout
      ? poolLayout({
          cidr: current.cidr,
          gateway: input.gateway ?? current.gateway,
          rangeFirst: input.range_first ?? current.rangeFirst,
          rangeLast: input.range_last ?? current.rangeLast,
        })
      : undefined;
    if (input.node_ids) await this.checkNodes(input.node_ids);
    const found = await this.pools.update(
      id,
      { name: input.name, nodeIds: input.node_ids, ...(layout ? { layout } : {}) },
      this.clock.now(),
    );
    if (!found) throw new NotFound('IP pool');
    await this.record(actor, 'ip_pool.update', id, input);
    return this.get(id);
  }

  async delete(actor: Principal, id: string): Promise<void> {
    if (!(await this.pools.delete(id))) throw new NotFound('IP pool');
    await this.record(actor, 'ip_pool.delete', id, {});
  }

  private async checkNodes(nodeIds: readonly string[]): Promise<void> {
    const missing = new Set(await this.nodes.missing(nodeIds));
    const details = nodeIds.flatMap((nodeId, i) =>
      missing.has(nodeId) ? [{ field: `node_ids.${i}`, message: `No node has id ${nodeId}` }] : [],
    );
    if (details.length > 0) throw new ValidationFailed(details[0]!.message, details);
  }

  private async load(id: string): Promise<PoolRow> {
    const row = await this.pools.find(id);
    if (!row) throw new NotFound('IP pool');
    return row;
  }

  private record(actor: Principal, action: string, id: string, details: object) {
    return this.audit.record({
      actorUserId: actor.user.id,
      action,
      targetType: 'ip_pool',
      targetId: id,
      details: { ...details },
      at: this.clock.now(),
    });
  }
}

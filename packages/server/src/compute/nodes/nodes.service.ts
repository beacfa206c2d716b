import type {
  CreateNodeBody,
  DriverNameValue,
  HypervisorNode,
  Pagination,
  UpdateNodeBody,
} from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import { NotFound } from '../../platform/errors.js';
import type { DriverName, NodeConfig } from '../hypervisor/port.js';
import type { NodeRow, NodesRepo } from './nodes.repo.js';

// The API's driver names and the hypervisor port's are one list: this fails to compile otherwise.
const sameDrivers: [DriverNameValue, DriverName] extends [DriverName, DriverNameValue]
  ? true
  : never = true;
void sameDrivers;

/** A node as the API shows it: which credentials are set, never their values. */
function nodeView(row: NodeRow): HypervisorNode {
  return {
    id: row.id,
    name: row.name,
    driver: row.driver,
    endpoint: row.endpoint,
    credentialKeys: Object.keys(row.credentials).sort(),
    cpus: row.cpus,
    memoryMiB: row.memory_mib,
    diskGiB: row.disk_gib,
    active: row.active,
    createdAt: apiTime(row.created_at),
    updatedAt: apiTime(row.updated_at),
  };
}

/** Hypervisor nodes as administrators configure them. */
export class NodesService {
  constructor(
    private readonly nodes: NodesRepo,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async list(page: Pagination): Promise<{ data: HypervisorNode[]; total: number }> {
    const { rows, total } = await this.nodes.list(page);
    return { data: rows.map(nodeView), total };
  }

  async get(id: string): Promise<HypervisorNode> {
    return nodeView(await this.load(id));
  }

  /** What a driver needs to reach the node, secrets included; never for responses. */
  async config(id: string): Promise<NodeConfig> {
    const row = await this.load(id);
    return {
      id: row.id,
      name: row.name,
      driver: row.driver,
      endpoint: row.endpoint,
      credentials: { ...row.credentials },
      size: { cpus: row.cpus, memoryMiB: row.memory_mib, diskGiB: row.disk_gib },
    };
  }

  async create(actor: Principal, input: CreateNodeBody): Promise<HypervisorNode> {
    const now = this.clock.now();
    const row = await this.nodes.create(
      {
        name: input.name,
        driver: input.driver,
        endpoint: input.endpoint ?? '',
        credentials: input.credentials ?? {},
        cpus: input.cpus,
        memoryMiB: input.memory_mib,
        diskGiB: input.disk_gib,
        active: input.active ?? true,
      },
      now,
    );
    await this.record(actor, 'node.create', row, input);
    return nodeView(row);
  }

  async update(actor: Principal, id: string, input: UpdateNodeBody): Promise<HypervisorNode> {
    const row = await this.nodes.update(
      id,
      {
        name: input.name,
        endpoint: input.endpoint,
        credentials: input.credentials,
        cpus: input.cpus,
        memoryMiB: input.memory_mib,
        diskGiB: input.disk_gib,
        active: input.active,
      },
      this.clock.now(),
    );
    if (!row) throw new NotFound('Node');
    await this.record(actor, 'node.update', row, input);
    return nodeView(row);
  }

  async delete(actor: Principal, id: string): Promise<void> {
    const row = await this.load(id);
    if (!(await this.nodes.delete(id))) throw new NotFound('Node');
    await this.record(actor, 'node.delete', row, {});
  }

  private async load(id: string): Promise<NodeRow> {
    const row = await this.nodes.find(id);
    if (!row) throw new NotFound('Node');
    return row;
  }

  /** The audit trail names the credentials changed, never their values. */
  private record(
    actor: Principal,
    action: string,
    row: NodeRow,
    input: { credentials?: Record<string, string> | undefined },
  ) {
    const { credentials, ...rest } = input;
    return this.audit.record({
      actorUserId: actor.user.id,
      action,
      targetType: 'node',
      targetId: row.id,
      details: {
        ...rest,
        ...(credentials ? { credentialKeys: Object.keys(credentials).sort() } : {}),
      },
      at: this.clock.now(),
    });
  }
}

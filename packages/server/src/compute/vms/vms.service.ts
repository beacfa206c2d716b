import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Action, CreateVmBody, Pagination, PowerActionName, Vm } from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import { Conflict, NotFound, Unavailable, ValidationFailed } from '../../platform/errors.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import type { ProjectAccess, ProjectsService } from '../../projects/projects.service.js';
import type { IpAllocator } from '../ip-pools/ip-allocator.js';
import { chooseNode, reserveOnNode, templateOffered } from './placement.js';
import { checkSshPublicKey } from './ssh-key.js';
import type { ComputeFunds } from './vm-funds.js';
import { actionView, lockForAction, queueAction, refusePower } from './vm-actions.js';
import { actionsRepo, vmsRepo, type NewVm, type VmRow } from './vms.repo.js';

interface CatalogLookup {
  template: { id: string; slug: string; min_disk_gib: number } | null;
  size: {
    id: string;
    slug: string;
    vcpus: number;
    memory_mib: number;
    disk_gib: number;
    hourly_price_micro_ngwee: number;
  } | null;
  name_taken: boolean;
}

export interface VmsServiceDeps {
  db: Db;
  projects: ProjectsService;
  ipAllocator: IpAllocator;
  jobs: JobQueue;
  funds: ComputeFunds;
  audit: AuditLog;
  clock: Clock;
}

export function vmView(row: VmRow): Vm {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    powerState: row.power_state,
    ipAddress: row.ip_address,
    size: row.size_slug,
    template: row.template_slug,
    createdAt: apiTime(row.created_at),
    projectId: row.project_id,
    publicIp: row.public_ip,
    nodeId: row.node_id,
    error: row.error,
  };
}

/**
 * Customers' VMs: what they ask for is recorded at once, with the action and the job that
 * will carry it out, in one transaction; the jobs (vm.jobs.ts) then talk to the hypervisor.
 * Every change of a VM locks its row first, so one VM has at most one open action whichever
 * server instance takes the request.
 */
export class VmsService {
  constructor(private readonly deps: VmsServiceDeps) {}

  /** The VM, when the caller's role in its project allows `need`; NOT_FOUND otherwise. */
  async access(principal: Principal, vmId: string, need: ProjectAccess): Promise<VmRow> {
    const row = await vmsRepo.find(this.deps.db, vmId);
    if (!row) throw new NotFound('VM');
    await this.deps.projects.authorizeFor(principal, row.project_id, need, 'VM');
    return row;
  }

  async list(
    principal: Principal,
    projectId: string,
    page: Pagination,
  ): Promise<{ data: Vm[]; total: number }> {
    await this.deps.projects.authorize(principal, projectId, 'read');
    const { rows, total } = await vmsRepo.list(this.deps.db, projectId, page);
    return { data: rows.map(vmView), total };
  }

  async get(principal: Principal, vmId: string): Promise<Vm> {
    return vmView(await this.access(principal, vmId, 'read'));
  }

  /**
   * Records a VM in `provisioning`, placed on a node, with its IP address taken, and queues
   * its provisioning. Everything the request can get wrong is refused here, before anything
   * is made: the name, the key, the template and size, the money and the capacity.
   */
  async create(principal: Principal, input: CreateVmBody): Promise<Vm> {
    await this.deps.projects.authorize(principal, input.project_id, 'write');
    const key = checkSshPublicKey(input.ssh_key);
    if (!key.ok) throw ValidationFailed.field('ssh_key', key.message);
    const { db, clock } = this.deps;
    // The template, the size and whether the name is free, in one round trip.
    const found = await sql<CatalogLookup>`
      select (select row_to_json(t) from (
                select id, slug, min_disk_gib from templates where slug = ${input.template} and active
              ) t) as template,
             (select row_to_json(s) from (
                select id, slug, vcpus, memory_mib, disk_gib, hourly_price_micro_ngwee
                  from sizes where slug = ${input.size} and active
              ) s) as size,
             exists (select 1 from vms where project_id = ${input.project_id}
                        and name = ${input.name} and deleted_at is null) as name_taken`.execute(db);
    const { template, size, name_taken: nameIsTaken } = found.rows[0]!;
    const problems = [];
    if (!template) {
      problems.push({
        field: 'template',
        message: `There is no template ${input.template}; choose one of ${await this.slugs('templates')}`,
      });
    }
    if (!size) {
      problems.push({
        field: 'size',
        message: `There is no size ${input.size}; choose one of ${await this.slugs('sizes')}`,
      });
    }
    if (template && size && size.disk_gib < template.min_disk_gib) {
      problems.push({
        field: 'size',
        message: `Size ${size.slug} has a ${size.disk_gib} GiB disk; template ${template.slug} needs at least ${template.min_disk_gib} GiB`,
      });
    }
    if (!template || !size || problems.length > 0) {
      throw new ValidationFailed(problems[0]?.message ?? 'Invalid VM', problems);
    }
    if (nameIsTaken) throw nameTaken(input.name);
    await this.deps.funds.assertCanAfford(input.project_id, {
      hourlyPriceMicroNgwee: Number(size.hourly_price_micro_ngwee),
      publicIp: input.public_ip,
    });

    const now = clock.now();
    const id = randomUUID();
    let created: VmRow;
    try {
      created = await db.transaction().execute(async (tx) => {
        const node = await chooseNode(tx, {
          templateId: template.id,
          memoryMiB: size.memory_mib,
          diskGiB: size.disk_gib,
        });
        if (!node) {
          throw new Unavailable(
            (await templateOffered(tx, template.id))
              ? `No hypervisor node has room for size ${size.slug} (${size.memory_mib} MiB, ${size.disk_gib} GiB); try a smaller size or later`
              : `No hypervisor node offers template ${template.slug} now; an administrator must add it to a node`,
          );
        }
        const ip = await this.deps.ipAllocator.allocate(tx, {
          public: input.public_ip,
          nodeId: node.nodeId,
        });
        const values: NewVm = {
          id,
          project_id: input.project_id,
          name: input.name,
          status: 'provisioning',
          power_state: 'stopped',
          template_id: template.id,
          size_id: size.id,
          vcpus: size.vcpus,
          memory_mib: size.memory_mib,
          disk_gib: size.disk_gib,
          node_id: node.nodeId,
          public_ip: input.public_ip,
          ip_address: ip.address,
          ip_pool_id: ip.poolId,
          ssh_key: key.key.line,
          error: null,
          created_by: principal.user.id,
          created_at: now,
          deleted_at: null,
        };
        const hypervisorId = await vmsRepo.insert(tx, values);
        await queueAction(this.deps.jobs, tx, {
          vmId: id,
          type: 'create',
          requestedBy: principal.user.id,
          now,
        });
        await this.deps.audit.record(
          {
            actorUserId: principal.user.id,
            action: 'vm.create',
            targetType: 'vm',
            targetId: id,
            projectId: input.project_id,
            details: {
              name: input.name,
              template: template.slug,
              size: size.slug,
              node: node.nodeName,
              ipAddress: ip.address,
            },
            at: now,
          },
          tx,
        );
        // Last, so that the node's row is locked only until the commit.
        const footprint = { memoryMiB: size.memory_mib, diskGiB: size.disk_gib };
        if (!(await reserveOnNode(tx, node.nodeId, footprint))) {
          throw new Unavailable(
            `Node ${node.nodeName} filled up while this VM was placed; try again`,
          );
        }
        const { created_by: _by, ...row } = values;
        return {
          ...row,
          hypervisor_id: hypervisorId,
          size_slug: size.slug,
          template_slug: template.slug,
        };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'vms_project_name_key')) throw nameTaken(input.name);
      throw err;
    }
    return vmView(created);
  }

  /** Starts the VM's deletion: status `deleting` at once; the row goes when the node is done. */
  async delete(principal: Principal, vmId: string): Promise<Vm> {
    await this.access(principal, vmId, 'write');
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      const vm = await lockForAction(tx, vmId);
      if (vm.status === 'deleting') throw new Conflict(`VM ${vm.name} is being deleted already`);
      if (vm.status === 'provisioning') {
        throw new Conflict(
          `VM ${vm.name} is still being provisioned; delete it once it is running or has failed`,
        );
      }
      await vmsRepo.update(tx, vmId, { status: 'deleting' }, now);
      await queueAction(this.deps.jobs, tx, {
        vmId,
        type: 'delete',
        requestedBy: principal.user.id,
        now,
      });
      await this.record(tx, principal, 'vm.delete', vm, now);
    });
    return vmView((await vmsRepo.find(this.deps.db, vmId))!);
  }

  /** Queues a power action, when the VM's state allows it and no other action is open. */
  async power(principal: Principal, vmId: string, action: PowerActionName): Promise<Action> {
    const row = await this.access(principal, vmId, 'write');
    if (action === 'start' && (row.status === 'suspended' || row.status === 'stopped')) {
      await this.deps.funds.assertMayStart(row.project_id);
    }
    const now = this.deps.clock.now();
    const created = await this.deps.db.transaction().execute(async (tx) => {
      const vm = await lockForAction(tx, vmId);
      refusePower(vm, action);
      const a = await queueAction(this.deps.jobs, tx, {
        vmId,
        type: action,
        requestedBy: principal.user.id,
        now,
      });
      await this.record(tx, principal, `vm.power.${action}`, vm, now);
      return a;
    });
    return actionView(created);
  }

  async getAction(principal: Principal, actionId: string): Promise<Action> {
    const row = await actionsRepo.find(this.deps.db, actionId);
    if (!row) throw new NotFound('Action');
    const vm = await vmsRepo.findAny(this.deps.db, row.vm_id);
    if (!vm) throw new NotFound('Action');
    await this.deps.projects.authorizeFor(principal, vm.project_id, 'read', 'Action');
    return actionView(row);
  }

  async listActions(
    principal: Principal,
    vmId: string,
    page: Pagination,
  ): Promise<{ data: Action[]; total: number }> {
    await this.access(principal, vmId, 'read');
    const { rows, total } = await actionsRepo.list(this.deps.db, vmId, page);
    return { data: rows.map(actionView), total };
  }

  private record(tx: Db, principal: Principal, action: string, vm: VmRow, now: Date) {
    return this.deps.audit.record(
      {
        actorUserId: principal.user.id,
        action,
        targetType: 'vm',
        targetId: vm.id,
        projectId: vm.project_id,
        details: { name: vm.name },
        at: now,
      },
      tx,
    );
  }

  private async slugs(table: 'templates' | 'sizes'): Promise<string> {
    const rows = await this.deps.db
      .selectFrom(table)
      .select('slug')
      .where('active', '=', true)
      .orderBy('slug')
      .execute();
    return rows.map((r) => r.slug).join(', ') || '(none yet)';
  }
}

function nameTaken(name: string): Conflict {
  const message = `The project has a VM named ${name} already; choose another name`;
  return new Conflict(message, [{ field: 'name', message }]);
}

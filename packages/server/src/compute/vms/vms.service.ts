import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Action, CreateVmBody, Pagination, PowerActionName, Vm } from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { VmActionType } from '../../db/schema.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import {
  Conflict,
  InsufficientFunds,
  NotFound,
  Unavailable,
  ValidationFailed,
} from '../../platform/errors.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import type { ProjectAccess, ProjectsService } from '../../projects/projects.service.js';
import type { IpAllocator } from '../ip-pools/ip-allocator.js';
import { chooseNode, reserveOnNode, templateOffered } from './placement.js';
import { checkSshPublicKey } from './ssh-key.js';
import type { ComputeFunds } from './vm-funds.js';
import { actionsRepo, vmsRepo, type ActionRow, type VmRow } from './vms.repo.js';

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

/** The job that carries out each kind of action. */
export const VM_JOB_KINDS = {
  create: 'vm.provision',
  delete: 'vm.delete',
  power: 'vm.power',
} as const;

export interface VmJobPayload {
  vmId: string;
  actionId: string;
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

export function actionView(row: ActionRow): Action {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    vmId: row.vm_id,
    error: row.error,
    startedAt: row.started_at ? apiTime(row.started_at) : null,
    completedAt: row.completed_at ? apiTime(row.completed_at) : null,
    createdAt: apiTime(row.created_at),
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
    let created: { row: VmRow; action: ActionRow };
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
        const row: VmRow = {
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
          hypervisor_id: 0, // allocated by the insert below
          public_ip: input.public_ip,
          ip_address: ip.address,
          ip_pool_id: ip.poolId,
          ssh_key: key.key.line,
          error: null,
          created_at: now,
          deleted_at: null,
          size_slug: size.slug,
          template_slug: template.slug,
        };
        row.hypervisor_id = await vmsRepo.insert(tx, {
          id,
          projectId: row.project_id,
          name: row.name,
          templateId: row.template_id,
          sizeId: row.size_id,
          vcpus: row.vcpus,
          memoryMiB: row.memory_mib,
          diskGiB: row.disk_gib,
          nodeId: row.node_id,
          publicIp: row.public_ip,
          ipAddress: ip.address,
          ipPoolId: ip.poolId,
          sshKey: row.ssh_key,
          createdBy: principal.user.id,
          now,
        });
        const action = await this.queue(tx, id, 'create', principal.user.id, now);
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
        return { row, action };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'vms_project_name_key')) throw nameTaken(input.name);
      throw err;
    }
    return vmView(created.row);
  }

  /** Starts the VM's deletion: status `deleting` at once; the row goes when the node is done. */
  async delete(principal: Principal, vmId: string): Promise<Vm> {
    await this.access(principal, vmId, 'write');
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      const vm = await this.lockForAction(tx, vmId);
      if (vm.status === 'deleting') throw new Conflict(`VM ${vm.name} is being deleted already`);
      if (vm.status === 'provisioning') {
        throw new Conflict(
          `VM ${vm.name} is still being provisioned; delete it once it is running or has failed`,
        );
      }
      await vmsRepo.update(tx, vmId, { status: 'deleting' }, now);
      await this.queue(tx, vmId, 'delete', principal.user.id, now);
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
      const vm = await this.lockForAction(tx, vmId);
      refusePower(vm, action);
      const a = await this.queue(tx, vmId, action, principal.user.id, now);
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

  /**
   * Billing: powers off the project's live VMs (ACPI shutdown, then stop) and shows them
   * `suspended`. VMs busy with another action, provisioning or deleting are left for the next
   * call. Returns how many were suspended now.
   */
  async suspendProject(projectId: string): Promise<number> {
    return this.forEachLive(projectId, async (tx, vm, now) => {
      if (vm.status !== 'running' && vm.status !== 'stopped') return false;
      if (await actionsRepo.open(tx, vm.id)) return false;
      await vmsRepo.update(tx, vm.id, { status: 'suspended' }, now);
      await this.queue(tx, vm.id, 'suspend', null, now);
      await this.deps.audit.record(
        {
          actorUserId: null,
          action: 'vm.suspend',
          targetType: 'vm',
          targetId: vm.id,
          projectId,
          details: { name: vm.name, reason: 'balance exhausted' },
          at: now,
        },
        tx,
      );
      return true;
    });
  }

  /**
   * Billing: the project may run VMs again. Suspended VMs become `stopped`, or are started
   * when `restart`. Returns how many were lifted.
   */
  async liftSuspension(projectId: string, opts: { restart: boolean }): Promise<number> {
    return this.forEachLive(projectId, async (tx, vm, now) => {
      if (vm.status !== 'suspended') return false;
      if (await actionsRepo.open(tx, vm.id)) return false;
      await vmsRepo.update(tx, vm.id, { status: 'stopped' }, now);
      if (opts.restart) await this.queue(tx, vm.id, 'start', null, now);
      await this.deps.audit.record(
        {
          actorUserId: null,
          action: 'vm.unsuspend',
          targetType: 'vm',
          targetId: vm.id,
          projectId,
          details: { name: vm.name, restart: opts.restart },
          at: now,
        },
        tx,
      );
      return true;
    });
  }

  private async forEachLive(
    projectId: string,
    change: (tx: Db, vm: VmRow, now: Date) => Promise<boolean>,
  ): Promise<number> {
    let changed = 0;
    for (const { id } of await vmsRepo.listLive(this.deps.db, projectId)) {
      const now = this.deps.clock.now();
      const done = await this.deps.db.transaction().execute(async (tx) => {
        const vm = await vmsRepo.lock(tx, id);
        return vm ? change(tx, vm, now) : false;
      });
      if (done) changed += 1;
    }
    return changed;
  }

  /** Locks the VM and refuses when another action is open, naming it. */
  private async lockForAction(tx: Db, vmId: string): Promise<VmRow> {
    const vm = await vmsRepo.lock(tx, vmId);
    if (!vm) throw new NotFound('VM');
    const open = await actionsRepo.open(tx, vmId);
    if (open) throw busy(vm, open);
    return vm;
  }

  /** Records the action and queues the job that carries it out, in `tx`. */
  private async queue(
    tx: Db,
    vmId: string,
    type: VmActionType,
    requestedBy: string | null,
    now: Date,
  ): Promise<ActionRow> {
    const actionId = randomUUID();
    const kind =
      type === 'create'
        ? VM_JOB_KINDS.create
        : type === 'delete'
          ? VM_JOB_KINDS.delete
          : VM_JOB_KINDS.power;
    const payload: VmJobPayload = { vmId, actionId };
    const job = await this.deps.jobs.enqueue(tx, {
      kind,
      payload,
      resource: { type: 'vm', id: vmId },
    });
    return actionsRepo.insert(tx, { id: actionId, vmId, type, jobId: job.id, requestedBy, now });
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

function busy(vm: VmRow, open: ActionRow): Conflict {
  return new Conflict(
    `VM ${vm.name} is busy with a ${open.type} action (${open.id}, ${open.status}); try again when it has finished`,
  );
}

/** Which power actions each status allows; anything else is CONFLICT saying why. */
function refusePower(vm: VmRow, action: PowerActionName): void {
  const name = vm.name;
  switch (vm.status) {
    case 'provisioning':
      throw new Conflict(`VM ${name} is still being provisioned; wait until it is running`);
    case 'deleting':
      throw new Conflict(`VM ${name} is being deleted`);
    case 'error':
      throw new Conflict(
        `VM ${name} is in error (${vm.error ?? 'unknown'}); delete it and create it again`,
      );
    case 'suspended':
      if (action === 'start') {
        throw new InsufficientFunds(
          `VM ${name} is suspended because the project's balance ran out; top up the project to start it`,
        );
      }
      throw new Conflict(`VM ${name} is suspended and powered off; it cannot ${action}`);
    case 'running':
      if (action === 'start') throw new Conflict(`VM ${name} is running already`);
      return;
    case 'stopped':
      if (action !== 'start') throw new Conflict(`VM ${name} is stopped; it cannot ${action}`);
      return;
  }
}

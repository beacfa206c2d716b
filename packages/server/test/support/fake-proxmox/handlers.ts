import {
  diskBytes,
  GiB,
  lockTimeoutMessage,
  noSuchVmMessage,
  type FakeVm,
  type NodeState,
  type TaskOutcome,
} from './node-state.js';

/** What the fake answers with other than 200: Proxmox's status and message. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How the task a request starts should go, when the test injected that. */
export type TaskPlay =
  | { kind: 'task-fails'; exitstatus: string; log: string[] }
  | { kind: 'task-lock-timeout' }
  | { kind: 'task-warnings'; count?: number }
  | { kind: 'slow-task'; ms: number };

export interface HandlerContext {
  state: NodeState;
  params: Record<string, string>;
  /** Who is asking: the token's id, or the ticket's user. */
  identity: string;
  taskMs: number;
  play?: TaskPlay;
  /** vnc tickets handed out by vncproxy, with whom they were given to. */
  vncTickets: Map<string, { vmid: number; user: string; port: number }>;
}

export type Handler = (ctx: HandlerContext) => unknown;

function vmOf(ctx: HandlerContext, key = 'vmid'): FakeVm {
  const vmid = ctx.params[key] ?? '';
  const vm = ctx.state.vms.get(Number(vmid));
  if (!vm) throw new FakeHttpError(500, noSuchVmMessage(ctx.state.nodeName, vmid));
  return vm;
}

function unlocked(vm: FakeVm): FakeVm {
  if (vm.lock) throw new FakeHttpError(500, `VM is locked (${vm.lock})`);
  return vm;
}

/** Starts the request's task: its outcome is `failure` when the VM refuses, else as played. */
function task(
  ctx: HandlerContext,
  type: string,
  id: number,
  work: { failure?: string; effect?: () => void; undo?: () => void; log?: string[] },
): string {
  let outcome: TaskOutcome = { exitstatus: 'OK', log: [...(work.log ?? []), 'TASK OK'] };
  let durationMs = ctx.taskMs;
  const play = ctx.play;
  if (work.failure) {
    outcome = {
      exitstatus: work.failure,
      log: [...(work.log ?? []), `TASK ERROR: ${work.failure}`],
    };
  } else if (play?.kind === 'task-fails') {
    outcome = { exitstatus: play.exitstatus, log: play.log };
  } else if (play?.kind === 'task-lock-timeout') {
    const message = lockTimeoutMessage(id);
    outcome = { exitstatus: message, log: ['trying to acquire lock...', `TASK ERROR: ${message}`] };
  } else if (play?.kind === 'task-warnings') {
    const count = play.count ?? 1;
    outcome = {
      exitstatus: `WARNINGS: ${count}`,
      log: [...(work.log ?? []), 'WARN: the guest agent is not running', `TASK WARNINGS: ${count}`],
    };
  } else if (play?.kind === 'slow-task') {
    durationMs = play.ms;
  }
  return ctx.state.startTask(
    { user: ctx.identity, type, id, durationMs },
    outcome,
    work.effect,
    work.undo,
  );
}

function currentStatus(vm: FakeVm) {
  return {
    vmid: vm.vmid,
    name: vm.name,
    status: vm.status,
    qmpstatus: vm.status === 'stopped' ? 'stopped' : vm.paused ? 'paused' : 'running',
    cpus: Number(vm.config.cores ?? 1),
    maxmem: Number(vm.config.memory ?? 512) * 1024 ** 2,
    maxdisk: diskBytes(vm.config.scsi0),
    uptime: vm.status === 'running' ? 42 : 0,
    ha: { managed: 0 },
    ...(vm.lock ? { lock: vm.lock } : {}),
  };
}

function clusterResources(ctx: HandlerContext): unknown[] {
  const { state } = ctx;
  const vms = [...state.vms.values()].map((vm) => ({
    id: `qemu/${vm.vmid}`,
    type: 'qemu',
    vmid: vm.vmid,
    name: vm.name,
    node: state.nodeName,
    status: vm.status,
    template: vm.template ? 1 : 0,
    maxcpu: Number(vm.config.cores ?? 1),
    maxmem: Number(vm.config.memory ?? 512) * 1024 ** 2,
    mem: vm.status === 'running' ? Number(vm.config.memory ?? 512) * 1024 ** 2 : 0,
    maxdisk: diskBytes(vm.config.scsi0),
    disk: 0,
  }));
  const usedDisk = [...state.vms.values()].reduce((sum, vm) => sum + diskBytes(vm.config.scsi0), 0);
  const usedMemory = vms.reduce((sum, vm) => sum + vm.mem, 0);
  const node = {
    id: `node/${state.nodeName}`,
    type: 'node',
    node: state.nodeName,
    status: 'online',
    maxcpu: state.cpus,
    maxmem: state.memoryBytes,
    mem: 2 * GiB + usedMemory,
    maxdisk: 100 * GiB,
    disk: 10 * GiB,
  };
  const storage = {
    id: `storage/${state.nodeName}/local-lvm`,
    type: 'storage',
    storage: 'local-lvm',
    node: state.nodeName,
    status: 'available',
    maxdisk: state.storageBytes,
    disk: usedDisk,
  };
  const type = ctx.params.type;
  if (type === 'vm') return vms;
  if (type === 'node') return [node];
  if (type === 'storage') return [storage];
  return [node, storage, ...vms];
}

function power(action: string): Handler {
  return (ctx) => {
    const vm = unlocked(vmOf(ctx));
    const running = vm.status === 'running';
    const needsRunning = action !== 'start' && action !== 'stop';
    let failure: string | undefined;
    if (action === 'start' && running) failure = `VM ${vm.vmid} already running`;
    if (needsRunning && !running) failure = `VM ${vm.vmid} not running`;
    if (action === 'resume' && !vm.paused) failure = `VM ${vm.vmid} is not paused`;
    const after: Record<string, () => void> = {
      start: () => ((vm.status = 'running'), (vm.paused = false)),
      stop: () => ((vm.status = 'stopped'), (vm.paused = false)),
      shutdown: () => ((vm.status = 'stopped'), (vm.paused = false)),
      resume: () => (vm.paused = false),
      reboot: () => (vm.paused = false),
      reset: () => (vm.paused = false),
    };
    const type =
      {
        start: 'qmstart',
        stop: 'qmstop',
        shutdown: 'qmshutdown',
        resume: 'qmresume',
        reboot: 'qmreboot',
        reset: 'qmreset',
      }[action] ?? action;
    return task(ctx, type, vm.vmid, { failure, effect: after[action] });
  };
}

/** `${METHOD} ${schema path}` → what the fake node does. */
export const handlers: Record<string, Handler> = {
  'GET /cluster/resources': clusterResources,

  'GET /nodes/{node}/qemu/{vmid}/status/current': (ctx) => currentStatus(vmOf(ctx)),

  'GET /nodes/{node}/qemu/{vmid}/config': (ctx) => {
    const vm = vmOf(ctx);
    return { ...vm.config, digest: 'f'.repeat(40) };
  },

  'POST /nodes/{node}/qemu/{vmid}/clone': (ctx) => {
    const source = vmOf(ctx);
    const newid = Number(ctx.params.newid);
    if (ctx.state.vms.has(newid)) {
      throw new FakeHttpError(500, `unable to create VM ${newid}: config file already exists`);
    }
    if (!source.template && ctx.params.full !== '1') {
      throw new FakeHttpError(500, 'linked clone feature is not supported for a VM');
    }
    const name = ctx.params.name ?? `Copy-of-VM-${source.name}`;
    const vm: FakeVm = {
      vmid: newid,
      name,
      template: false,
      status: 'stopped',
      paused: false,
      lock: 'clone',
      config: {
        ...source.config,
        name,
        scsi0: (source.config.scsi0 ?? '').replace(/base-\d+-disk/, `vm-${newid}-disk`),
      },
    };
    delete vm.config.template;
    ctx.state.vms.set(newid, vm);
    return task(ctx, 'qmclone', source.vmid, {
      log: [
        `create full clone of drive scsi0 (${source.config.scsi0})`,
        'transferred 4.0 GiB of 4.0 GiB (100.00%)',
      ],
      effect: () => delete vm.lock,
      undo: () => ctx.state.vms.delete(newid),
    });
  },

  'POST /nodes/{node}/qemu/{vmid}/config': (ctx) => {
    const vm = unlocked(vmOf(ctx));
    const changes = Object.fromEntries(
      Object.entries(ctx.params).filter(([key]) => !['node', 'vmid', 'digest'].includes(key)),
    );
    return task(ctx, 'qmconfig', vm.vmid, { effect: () => Object.assign(vm.config, changes) });
  },

  'PUT /nodes/{node}/qemu/{vmid}/resize': (ctx) => {
    const vm = unlocked(vmOf(ctx));
    const disk = ctx.params.disk ?? '';
    const line = vm.config[disk];
    if (!line) throw new FakeHttpError(500, `disk '${disk}' does not exist`);
    const size = /^(\+?)(\d+)G$/.exec(ctx.params.size ?? '');
    if (!size) throw new FakeHttpError(400, 'the fake only plays sizes in G');
    const current = diskBytes(line);
    const wanted = (size[1] ? current : 0) + Number(size[2]) * GiB;
    return task(ctx, 'qmresize', vm.vmid, {
      failure: wanted < current ? 'shrinking disks is not supported' : undefined,
      effect: () => (vm.config[disk] = line.replace(/size=[^,]+/, `size=${wanted / GiB}G`)),
    });
  },

  'POST /nodes/{node}/qemu/{vmid}/status/start': power('start'),
  'POST /nodes/{node}/qemu/{vmid}/status/stop': power('stop'),
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': power('shutdown'),
  'POST /nodes/{node}/qemu/{vmid}/status/reboot': power('reboot'),
  'POST /nodes/{node}/qemu/{vmid}/status/reset': power('reset'),
  'POST /nodes/{node}/qemu/{vmid}/status/resume': power('resume'),

  'DELETE /nodes/{node}/qemu/{vmid}': (ctx) => {
    const vm = unlocked(vmOf(ctx));
    if (vm.status === 'running')
      throw new FakeHttpError(500, `VM ${vm.vmid} is running - destroy failed`);
    return task(ctx, 'qmdestroy', vm.vmid, {
      log: [
        `Removing image: 100% complete...done.`,
        `purging VM ${vm.vmid} from related configurations..`,
      ],
      effect: () => ctx.state.vms.delete(vm.vmid),
    });
  },

  'GET /nodes/{node}/tasks/{upid}/status': (ctx) => {
    const t = ctx.state.tasks.get(ctx.params.upid ?? '');
    if (!t) throw new FakeHttpError(500, 'unable to parse worker upid');
    return {
      upid: t.upid,
      node: ctx.state.nodeName,
      pid: 4000,
      pstart: 1,
      starttime: Math.floor(t.startedAt / 1000),
      type: t.type,
      id: t.id,
      user: t.user,
      status: t.done ? 'stopped' : 'running',
      ...(t.done ? { exitstatus: t.outcome.exitstatus } : {}),
    };
  },

  'GET /nodes/{node}/tasks/{upid}/log': (ctx) => {
    const t = ctx.state.tasks.get(ctx.params.upid ?? '');
    if (!t) throw new FakeHttpError(500, 'unable to parse worker upid');
    const start = Number(ctx.params.start ?? 0);
    const limit = Number(ctx.params.limit ?? 50);
    const lines = t.done ? t.outcome.log : t.outcome.log.slice(0, 1);
    return lines.slice(start, start + limit).map((text, i) => ({ n: start + i + 1, t: text }));
  },

  'POST /nodes/{node}/qemu/{vmid}/vncproxy': (ctx) => {
    const vm = vmOf(ctx);
    if (vm.status !== 'running') throw new FakeHttpError(500, `VM ${vm.vmid} not running`);
    const port = 5900 + ctx.vncTickets.size;
    const ticket = ctx.state.newTicket('PVEVNC');
    ctx.vncTickets.set(ticket, { vmid: vm.vmid, user: ctx.identity, port });
    const upid = task(ctx, 'vncproxy', vm.vmid, {});
    return { port, ticket, upid, user: ctx.identity, cert: '-----BEGIN CERTIFICATE-----\n…' };
  },
};

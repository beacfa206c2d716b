import { randomBytes } from 'node:crypto';

/**
 * The VMs and tasks of one fake Proxmox node. Changes a task makes land when the task ends
 * (as on a real node, where a clone's VM exists at once under a `clone` lock); a failed
 * task leaves the VM as it was (a failed clone removes its half-made VM).
 */

export interface FakeVm {
  vmid: number;
  name: string;
  template: boolean;
  status: 'running' | 'stopped';
  paused: boolean;
  lock?: string;
  /** The VM's configuration as `GET config` shows it (every value as text). */
  config: Record<string, string>;
}

export interface TaskOutcome {
  exitstatus: string;
  log: string[];
}

export interface FakeTask {
  upid: string;
  user: string;
  type: string;
  id: string;
  startedAt: number;
  endsAt: number;
  outcome: TaskOutcome;
  /** Applied when the task ends with OK or WARNINGS. */
  effect: () => void;
  /** Applied when the task ends otherwise. */
  undo: () => void;
  done: boolean;
}

export const GiB = 1024 ** 3;

export function lockTimeoutMessage(vmid: number | string): string {
  return `can't lock file '/var/lock/qemu-server/lock-${vmid}.conf' - got timeout`;
}

export function noSuchVmMessage(node: string, vmid: number | string): string {
  return `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`;
}

/** `size=10G` in a disk's config line → bytes. */
export function diskBytes(disk: string | undefined): number {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(disk ?? '');
  if (!m) return 0;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: GiB, T: 1024 * GiB }[m[2] ?? ''] ?? 0;
  return Number(m[1]) * unit;
}

export class NodeState {
  readonly vms = new Map<number, FakeVm>();
  readonly tasks = new Map<string, FakeTask>();
  private taskCount = 0;

  constructor(
    readonly nodeName: string,
    readonly cpus = 32,
    readonly memoryBytes = 128 * GiB,
    readonly storageBytes = 2048 * GiB,
  ) {}

  addTemplate(vmid: number, name: string, diskGiB = 4): FakeVm {
    const vm: FakeVm = {
      vmid,
      name,
      template: true,
      status: 'stopped',
      paused: false,
      config: {
        name,
        cores: '1',
        memory: '1024',
        template: '1',
        scsi0: `local-lvm:base-${vmid}-disk-0,size=${diskGiB}G`,
        ide2: `local-lvm:vm-${vmid}-cloudinit,media=cdrom`,
      },
    };
    this.vms.set(vmid, vm);
    return vm;
  }

  /** Starts a task that ends after `durationMs` with `outcome`. */
  startTask(
    spec: { user: string; type: string; id: string | number; durationMs: number },
    outcome: TaskOutcome,
    effect: () => void = () => {},
    undo: () => void = () => {},
  ): string {
    const now = Date.now();
    const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
    this.taskCount += 1;
    const upid = `UPID:${this.nodeName}:${hex(4000 + this.taskCount, 8)}:${hex(now % 0xffffffff, 8)}:${hex(Math.floor(now / 1000), 8)}:${spec.type}:${spec.id}:${spec.user}:`;
    this.tasks.set(upid, {
      upid,
      user: spec.user,
      type: spec.type,
      id: String(spec.id),
      startedAt: now,
      endsAt: now + spec.durationMs,
      outcome,
      effect,
      undo,
      done: false,
    });
    this.settle();
    return upid;
  }

  /** Ends every task whose time has come, applying or undoing what it does. */
  settle(): void {
    const now = Date.now();
    for (const task of this.tasks.values()) {
      if (task.done || task.endsAt > now) continue;
      task.done = true;
      const ok = task.outcome.exitstatus === 'OK' || task.outcome.exitstatus.startsWith('WARNINGS');
      if (ok) task.effect();
      else task.undo();
    }
  }

  newTicket(prefix: string): string {
    // Base64 with `+`, `/` and `=` like Proxmox's signatures, so encoding mistakes show.
    return `${prefix}:${randomBytes(6).toString('hex').toUpperCase()}::${randomBytes(40).toString('base64')}`;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import {
  HypervisorError,
  type ConsoleEndpoint,
  type HypervisorDriver,
  type NodeCapacity,
  type NodeConfig,
  type PowerAction,
  type VmSpec,
  type VmStatus,
} from '../port.js';
import {
  backoffMs,
  formEncode,
  LOCK_TIMEOUT,
  NO_SUCH_VM,
  ProxmoxClient,
  type ProxmoxParams,
} from './proxmox.client.js';
import {
  defaultProxmoxTimings,
  proxmoxCredentials,
  type ProxmoxCredentials,
  type ProxmoxTimings,
} from './proxmox.settings.js';
import {
  diskSizeGiB,
  encodeSshKeys,
  GiB,
  MiB,
  powerStateOf,
  type AccessTicket,
  type ClusterResource,
  type CurrentStatus,
  type VncProxy,
} from './proxmox.api.js';
import { waitForTask } from './proxmox.tasks.js';

/** The driver for one Proxmox VE node, through its HTTPS API with an API token. */
export function createProxmoxDriver(
  node: NodeConfig,
  timings: Partial<ProxmoxTimings> = {},
): HypervisorDriver {
  return new ProxmoxDriver(proxmoxCredentials(node), node.endpoint, {
    ...defaultProxmoxTimings,
    ...timings,
  });
}

class ProxmoxDriver implements HypervisorDriver {
  private readonly client: ProxmoxClient;
  private readonly nodePath: string;

  constructor(
    private readonly creds: ProxmoxCredentials,
    endpoint: string,
    private readonly timings: ProxmoxTimings,
  ) {
    this.client = new ProxmoxClient(
      {
        endpoint,
        tls: creds.tls,
        requestTimeoutMs: timings.requestTimeoutMs,
        retry: timings.retry,
      },
      { kind: 'token', tokenId: creds.tokenId, secret: creds.tokenSecret },
    );
    this.nodePath = `/nodes/${encodeURIComponent(creds.nodeName)}`;
  }

  async capacity(): Promise<NodeCapacity> {
    const resources = await this.client.call<ClusterResource[]>('GET', '/cluster/resources');
    const self = resources.find((r) => r.type === 'node' && r.node === this.creds.nodeName);
    if (!self || self.status === 'offline') {
      throw new HypervisorError(`Proxmox node ${this.creds.nodeName} is not online`, true);
    }
    const storage = this.creds.storage
      ? resources.find(
          (r) =>
            r.type === 'storage' &&
            r.node === this.creds.nodeName &&
            r.storage === this.creds.storage,
        )
      : self;
    if (!storage) {
      throw new HypervisorError(
        `Proxmox node ${this.creds.nodeName} has no storage ${this.creds.storage}`,
        false,
      );
    }
    return {
      cpus: self.maxcpu ?? 0,
      memoryMiB: Math.floor((self.maxmem ?? 0) / MiB),
      diskGiB: Math.floor((storage.maxdisk ?? 0) / GiB),
      usedMemoryMiB: Math.ceil((self.mem ?? 0) / MiB),
      usedDiskGiB: Math.ceil((storage.disk ?? 0) / GiB),
    };
  }

  async listVms(): Promise<VmStatus[]> {
    const resources = await this.client.call<ClusterResource[]>('GET', '/cluster/resources', {
      type: 'vm',
    });
    return resources
      .filter(
        (r) =>
          r.type === 'qemu' &&
          r.node === this.creds.nodeName &&
          !r.template &&
          r.vmid !== undefined,
      )
      .map((r) => ({
        vmid: r.vmid as number,
        name: r.name ?? '',
        powerState:
          r.status === 'running' ? 'running' : r.status === 'stopped' ? 'stopped' : 'unknown',
      }));
  }

  async status(vmid: number): Promise<VmStatus | null> {
    const current = await this.current(vmid);
    return current && { vmid, name: current.name ?? '', powerState: powerStateOf(current) };
  }

  async createVm(spec: VmSpec): Promise<void> {
    const existing = await this.current(spec.vmid);
    if (existing && existing.name !== spec.name) {
      throw new HypervisorError(
        `VM ${spec.vmid} exists on ${this.creds.nodeName} as "${existing.name ?? ''}", not "${spec.name}"`,
        false,
      );
    }
    if (!existing) await this.clone(spec);
    await this.configure(spec);
    await this.resize(spec);
  }

  async power(
    vmid: number,
    action: PowerAction,
    opts: { shutdownTimeoutSec?: number } = {},
  ): Promise<void> {
    const current = await this.status(vmid);
    if (!current)
      throw new HypervisorError(`There is no VM ${vmid} on ${this.creds.nodeName}`, false);
    const state = current.powerState;
    const post = (
      path: string,
      params: ProxmoxParams = {},
      timeoutMs = this.timings.taskTimeoutMs,
    ) =>
      this.task(
        () => this.client.call<string>('POST', `${this.vmPath(vmid)}/${path}`, params),
        timeoutMs,
      );
    switch (action) {
      case 'start':
        if (state === 'running') return;
        return post(state === 'paused' ? 'status/resume' : 'status/start');
      case 'stop':
        if (state === 'stopped') return;
        return post('status/stop');
      case 'shutdown': {
        if (state === 'stopped') return;
        const seconds = opts.shutdownTimeoutSec ?? this.timings.shutdownTimeoutSec;
        return post(
          'status/shutdown',
          { timeout: seconds, forceStop: true },
          this.timings.taskTimeoutMs + seconds * 1000,
        );
      }
      case 'reboot':
      case 'reset':
        if (state === 'stopped') {
          throw new HypervisorError(`VM ${vmid} is not running, so it cannot ${action}`, false);
        }
        return post(`status/${action}`);
    }
  }

  async deleteVm(vmid: number): Promise<void> {
    const current = await this.status(vmid);
    if (!current) return;
    if (current.powerState !== 'stopped') await this.power(vmid, 'stop');
    try {
      await this.task(
        () =>
          this.client.call<string>('DELETE', this.vmPath(vmid), {
            purge: true,
            'destroy-unreferenced-disks': true,
          }),
        this.timings.longTaskTimeoutMs,
      );
    } catch (err) {
      if (isNoSuchVm(err)) return;
      throw err;
    }
  }

  async openConsole(vmid: number): Promise<ConsoleEndpoint> {
    const current = await this.status(vmid);
    if (current?.powerState !== 'running') {
      throw new HypervisorError(`VM ${vmid} is not running, so it has no console`, false);
    }
    const client = await this.consoleClient();
    const proxy = await client.call<VncProxy>('POST', `${this.vmPath(vmid)}/vncproxy`, {
      websocket: true,
    });
    const url = client.url(`${this.vmPath(vmid)}/vncwebsocket`);
    url.protocol = 'wss:';
    url.search = formEncode({ port: Number(proxy.port), vncticket: proxy.ticket });
    return {
      kind: 'websocket',
      url: url.toString(),
      headers: client.authHeaders('GET'),
      password: proxy.ticket,
      tls: this.creds.tls,
    };
  }

  /** The client the console is opened with: the API token, or the console-only user's ticket. */
  private async consoleClient(): Promise<ProxmoxClient> {
    const access = this.creds.console;
    if (access.kind === 'token') return this.client;
    const session = await this.client
      .withAuth({ kind: 'none' })
      .call<AccessTicket>('POST', '/access/ticket', {
        username: access.username,
        password: access.password,
      });
    return this.client.withAuth({
      kind: 'ticket',
      ticket: session.ticket,
      csrfToken: session.CSRFPreventionToken,
    });
  }

  private async clone(spec: VmSpec): Promise<void> {
    const template = await this.templateId(spec.sourceTemplate);
    try {
      await this.task(
        () =>
          this.client.call<string>('POST', `${this.vmPath(template)}/clone`, {
            newid: spec.vmid,
            name: spec.name,
            full: true,
            storage: this.creds.storage,
          }),
        this.timings.longTaskTimeoutMs,
      );
    } catch (err) {
      // A retried clone whose first try got through finds its own VM: that is success.
      const now = await this.current(spec.vmid).catch(() => null);
      if (now?.name === spec.name && now.lock !== 'clone') return;
      throw err;
    }
  }

  private async configure(spec: VmSpec): Promise<void> {
    const nameservers = spec.network.nameservers.join(' ');
    await this.task(
      () =>
        this.client.call<string | null>('POST', `${this.vmPath(spec.vmid)}/config`, {
          cores: spec.cores,
          memory: String(spec.memoryMiB),
          ciuser: spec.ciUser,
          sshkeys: spec.sshKeys.length > 0 ? encodeSshKeys(spec.sshKeys) : undefined,
          ipconfig0: `ip=${spec.network.address},gw=${spec.network.gateway}`,
          nameserver: nameservers || undefined,
          ciupgrade: false,
        }),
      this.timings.taskTimeoutMs,
    );
  }

  /** Grows the boot disk to the size; a disk already that big (a re-run) is left alone. */
  private async resize(spec: VmSpec): Promise<void> {
    const config = await this.client.call<Record<string, unknown>>(
      'GET',
      `${this.vmPath(spec.vmid)}/config`,
    );
    const disk = config[this.creds.disk];
    if (typeof disk !== 'string') {
      throw new HypervisorError(
        `VM ${spec.vmid} has no disk ${this.creds.disk} to resize (check the node's "disk" setting)`,
        false,
      );
    }
    if (diskSizeGiB(disk) >= spec.diskGiB) return;
    await this.task(
      () =>
        this.client.call<string>('PUT', `${this.vmPath(spec.vmid)}/resize`, {
          disk: this.creds.disk,
          size: `${spec.diskGiB}G`,
        }),
      this.timings.taskTimeoutMs,
    );
  }

  /** A template named by vmid, or by name among the node's templates. */
  private async templateId(sourceTemplate: string): Promise<number> {
    if (/^\d+$/.test(sourceTemplate)) return Number(sourceTemplate);
    const vms = await this.client.call<ClusterResource[]>('GET', '/cluster/resources', {
      type: 'vm',
    });
    const found = vms.find(
      (r) =>
        r.type === 'qemu' &&
        r.node === this.creds.nodeName &&
        Boolean(r.template) &&
        r.name === sourceTemplate,
    );
    if (found?.vmid === undefined) {
      throw new HypervisorError(
        `Proxmox node ${this.creds.nodeName} has no template named "${sourceTemplate}"`,
        false,
      );
    }
    return found.vmid;
  }

  /**
   * Starts a task and waits for its end. A task that failed on a config lock is started again
   * (bounded, with backoff): the lock's holder finishes and the same request then passes.
   */
  private async task(start: () => Promise<string | null>, timeoutMs: number): Promise<void> {
    const { attempts } = this.timings.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        const upid = await start();
        if (upid === null) return; // done at once, no task
        return await waitForTask(this.client, this.creds.nodeName, upid, {
          timeoutMs,
          pollIntervalMs: this.timings.taskPollIntervalMs,
        });
      } catch (err) {
        const lockTimeout = err instanceof HypervisorError && LOCK_TIMEOUT.test(err.message);
        if (!lockTimeout || attempt >= attempts) throw err;
        await sleep(backoffMs(this.timings.retry, attempt));
      }
    }
  }

  private async current(vmid: number): Promise<CurrentStatus | null> {
    try {
      return await this.client.call<CurrentStatus>('GET', `${this.vmPath(vmid)}/status/current`);
    } catch (err) {
      if (isNoSuchVm(err)) return null;
      throw err;
    }
  }

  private vmPath(vmid: number): string {
    return `${this.nodePath}/qemu/${vmid}`;
  }
}

function isNoSuchVm(err: unknown): boolean {
  return err instanceof HypervisorError && NO_SUCH_VM.test(err.message);
}

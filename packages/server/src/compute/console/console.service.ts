import { createHash, randomBytes } from 'node:crypto';
import type { Console } from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import { Conflict, Forbidden, NotFound, Unauthorized, Unavailable } from '../../platform/errors.js';
import type { ProjectsService } from '../../projects/projects.service.js';
import {
  HypervisorError,
  type ConsoleEndpoint,
  type HypervisorDriver,
} from '../hypervisor/port.js';
import type { ConsoleRepo, ConsoleVm } from './console.repo.js';
import { openUpstream, type ConsoleUpstream } from './console-upstream.js';

/** How long a console ticket may wait to be used. */
export const CONSOLE_TICKET_TTL_MS = 60_000;

/** Where the console finds a node's driver (the HypervisorRegistry); it only opens consoles. */
export interface ConsoleNodes {
  driverFor(nodeId: string): Promise<Pick<HypervisorDriver, 'openConsole'>>;
}

export interface ConsoleSettings {
  /** The address users reach SwiftCloud at; the console websocket's URL is made from it. */
  publicUrl: URL;
  /** Longest wait for the node to open the console and for its VNC server's handshake. */
  connectTimeoutMs?: number;
}

/**
 * VM consoles: hands out single-use tickets for SwiftCloud's own console websocket, and
 * connects a websocket that presents one to the VM's VNC server on its node.
 */
export class ConsoleService {
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly repo: ConsoleRepo,
    private readonly projects: ProjectsService,
    private readonly hypervisors: ConsoleNodes,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly settings: ConsoleSettings,
  ) {
    this.connectTimeoutMs = settings.connectTimeoutMs ?? 10_000;
  }

  /**
   * A ticket for the VM's console websocket, for this user and this VM, valid 60 seconds.
   * Needs write access to the VM's project (viewers may not) through a session or a
   * read_write API key, and a running VM.
   */
  async open(principal: Principal, vmId: string): Promise<Console> {
    const vm = await this.repo.findVm(vmId);
    if (!vm) throw new NotFound('VM');
    try {
      await this.projects.authorizeFor(principal, vm.projectId, 'write', 'VM');
    } catch (err) {
      throw err instanceof Forbidden ? new Forbidden('Viewers may not open consoles') : err;
    }
    // The authentication hook refuses read-only keys only for unsafe methods; a console is
    // control of the VM, so it is refused here although it is a GET.
    if (principal.via === 'api_key' && principal.scope === 'read') {
      throw new Forbidden('This API key is read-only; opening a console needs a read_write key');
    }
    assertRunning(vm);

    const ticket = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + CONSOLE_TICKET_TTL_MS);
    await this.repo.createTicket({
      hash: hashTicket(ticket),
      vmId,
      userId: principal.user.id,
      expiresAt,
      now,
    });
    await this.audit.record({
      actorUserId: principal.user.id,
      action: 'vm.console',
      targetType: 'vm',
      targetId: vmId,
      projectId: vm.projectId,
      at: now,
    });
    const { publicUrl } = this.settings;
    const secure = publicUrl.protocol === 'https:';
    const url = new URL(`/v1/vms/${vmId}/console/ws`, publicUrl);
    url.protocol = secure ? 'wss:' : 'ws:';
    url.search = new URLSearchParams({ ticket }).toString();
    return {
      ticket,
      port: Number(publicUrl.port) || (secure ? 443 : 80),
      url: url.toString(),
      nodeId: vm.nodeName,
      expiresAt: apiTime(expiresAt),
    };
  }

  /**
   * Uses a ticket (once) and connects to the VM's VNC server. `presenter` is whoever the
   * websocket request's own credentials (a session cookie) say it is, if any: a ticket
   * presented by another user is refused.
   */
  async connect(
    vmId: string,
    ticket: string,
    presenter: Principal | null,
  ): Promise<ConsoleUpstream> {
    const userId = await this.repo.consumeTicket(hashTicket(ticket), vmId, this.clock.now());
    if (!userId) {
      throw new Unauthorized(
        'This console ticket is unknown, used or expired; ask GET /v1/vms/{id}/console for a new one',
      );
    }
    if (presenter && presenter.user.id !== userId) {
      throw new Forbidden('This console ticket was issued to another user');
    }
    const vm = await this.repo.findVm(vmId);
    if (!vm) throw new Conflict('The VM has been deleted');
    assertRunning(vm);
    const endpoint = await this.endpointOf(vm);
    try {
      return await openUpstream(endpoint, this.connectTimeoutMs);
    } catch {
      throw new Unavailable("The VM's console cannot be reached right now; try again");
    }
  }

  private async endpointOf(vm: ConsoleVm): Promise<ConsoleEndpoint> {
    const driver = await this.hypervisors.driverFor(vm.nodeId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HypervisorError('the node did not open the console in time', true)),
        this.connectTimeoutMs,
      );
    });
    try {
      return await Promise.race([driver.openConsole(vm.hypervisorId), timeout]);
    } catch (err) {
      if (err instanceof HypervisorError && !err.transient) throw new Conflict(err.message);
      throw new Unavailable(
        `The VM's node cannot open its console right now (${(err as Error).message}); try again`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

function assertRunning(vm: ConsoleVm): void {
  if (vm.status !== 'running') {
    throw new Conflict(`The VM is ${vm.status}; only a running VM has a console`);
  }
}

function hashTicket(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

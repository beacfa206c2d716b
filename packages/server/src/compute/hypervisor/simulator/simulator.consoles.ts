import type { VmSpec } from '../port.js';
import { GuestConsole } from './console/guest-console.js';
import { RfbServer } from './rfb/rfb-server.js';

interface RunningConsole {
  guest: GuestConsole;
  server: RfbServer;
}

/**
 * The screens of one simulated node's running VMs, each served by its own RFB server. They
 * live in this process only: after a restart a running VM's console is opened again on demand.
 */
export class SimulatedConsoles {
  private readonly consoles = new Map<number, Promise<RunningConsole>>();

  constructor(private readonly host: string) {}

  /** The VM's console, booting it when the VM has none here yet. */
  async ensure(spec: VmSpec): Promise<{ host: string; port: number }> {
    let running = this.consoles.get(spec.vmid);
    if (!running) {
      running = this.open(spec);
      this.consoles.set(spec.vmid, running);
      running.catch(() => this.consoles.delete(spec.vmid));
    }
    const { server } = await running;
    return { host: server.host, port: server.port };
  }

  /** The guest starts again on the same console (reboot, reset); clients stay connected. A VM whose console nobody opened has nothing to redraw. */
  reboot(vmid: number): void {
    void this.consoles
      .get(vmid)
      ?.then(({ guest }) => guest.boot())
      .catch(() => {});
  }

  /** Closes the VM's console and drops its clients; nothing to do when it has none. */
  async close(vmid: number): Promise<void> {
    const running = this.consoles.get(vmid);
    if (!running) return;
    this.consoles.delete(vmid);
    const opened = await running.catch(() => null);
    if (!opened) return;
    opened.guest.close();
    await opened.server.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.consoles.keys()].map((vmid) => this.close(vmid)));
  }

  private async open(spec: VmSpec): Promise<RunningConsole> {
    const guest = new GuestConsole(spec);
    try {
      return { guest, server: await RfbServer.listen(guest, this.host) };
    } catch (error) {
      guest.close();
      throw error;
    }
  }
}

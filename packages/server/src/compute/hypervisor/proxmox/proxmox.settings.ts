import { HypervisorError, type NodeConfig, type TlsTrust } from '../port.js';
import type { RetryPolicy } from './proxmox.client.js';

/** What a Proxmox node's `credentials` hold, checked once when its driver is made. */
export interface ProxmoxCredentials {
  /** `user@realm!tokenname` */
  tokenId: string;
  tokenSecret: string;
  /** The Proxmox node name (`pve1`), as in `/nodes/{node}`. */
  nodeName: string;
  tls: TlsTrust;
  /** Target storage for full clones and whose size `capacity()` reports; the template's own otherwise. */
  storage?: string;
  /** The template's boot disk, resized to the VM's size. */
  disk: string;
  /**
   * How the console websocket authenticates: `token` (the API token) or `ticket` (a session
   * ticket for a console-only user, for Proxmox versions whose `vncwebsocket` refuses tokens).
   */
  console: { kind: 'token' } | { kind: 'ticket'; username: string; password: string };
}

/** Timeouts and retries; the defaults suit a real node, tests make them short. */
export interface ProxmoxTimings {
  requestTimeoutMs: number;
  retry: RetryPolicy;
  /** Polling of a task's UPID. */
  taskPollIntervalMs: number;
  /** Longest wait for a clone (a full copy of the disks) or a delete. */
  longTaskTimeoutMs: number;
  /** Longest wait for config, resize and power tasks (a shutdown waits its own timeout more). */
  taskTimeoutMs: number;
  /** How long a shutdown waits before the node forces a stop, when the caller names none. */
  shutdownTimeoutSec: number;
}

export const defaultProxmoxTimings: ProxmoxTimings = {
  requestTimeoutMs: 15_000,
  retry: { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 },
  taskPollIntervalMs: 1_000,
  longTaskTimeoutMs: 30 * 60_000,
  taskTimeoutMs: 5 * 60_000,
  shutdownTimeoutSec: 60,
};

const DISK = /^(?:scsi\d{1,2}|virtio\d{1,2}|sata\d|ide\d)$/;

export function proxmoxCredentials(node: NodeConfig): ProxmoxCredentials {
  const c = node.credentials;
  const required = (key: string): string => {
    const value = c[key]?.trim();
    if (!value) {
      throw new HypervisorError(`Proxmox node ${node.name}: credentials need "${key}"`, false);
    }
    return value;
  };
  const disk = c.disk?.trim() || 'scsi0';
  if (!DISK.test(disk)) {
    throw new HypervisorError(`Proxmox node ${node.name}: "${disk}" is not a disk name`, false);
  }
  const consoleAuth = c.consoleAuth?.trim() || 'token';
  if (consoleAuth !== 'token' && consoleAuth !== 'ticket') {
    throw new HypervisorError(
      `Proxmox node ${node.name}: consoleAuth must be "token" or "ticket"`,
      false,
    );
  }
  return {
    tokenId: required('tokenId'),
    tokenSecret: required('tokenSecret'),
    nodeName: required('nodeName'),
    tls: {
      ca: c.ca?.trim() || undefined,
      fingerprint256: c.fingerprint256?.trim() || undefined,
    },
    storage: c.storage?.trim() || undefined,
    disk,
    console:
      consoleAuth === 'ticket'
        ? {
            kind: 'ticket',
            username: required('consoleUser'),
            password: required('consolePassword'),
          }
        : { kind: 'token' },
  };
}

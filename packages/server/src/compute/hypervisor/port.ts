/**
 * The hypervisor port: everything SwiftCloud asks of a node that runs VMs. Each driver
 * (`simulator`, `proxmox`) implements it and passes the one contract suite. Every method is
 * safe to call twice (a job retried after a crash repeats its last step), has a timeout,
 * and throws a HypervisorError that says whether trying again may help.
 */

export type PowerState = 'running' | 'stopped' | 'paused' | 'unknown';

export type PowerAction = 'start' | 'stop' | 'shutdown' | 'reboot' | 'reset';

/** What a VM is made of; `vmid` is allocated by SwiftCloud's database, never by the node. */
export interface VmSpec {
  vmid: number;
  /** The hostname label (1–63 of a-z, 0-9, -). */
  name: string;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  /** The node's own name for the template to clone (per-node source template). */
  sourceTemplate: string;
  /** OpenSSH public keys for the cloud-init user. */
  sshKeys: string[];
  ciUser: string;
  network: {
    /** The allocated address with its prefix, e.g. `192.0.2.10/24`. */
    address: string;
    gateway: string;
    nameservers: string[];
  };
}

export interface VmStatus {
  vmid: number;
  name: string;
  powerState: PowerState;
}

export interface NodeCapacity {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** What the node's VMs take now. */
  usedMemoryMiB: number;
  usedDiskGiB: number;
}

/** Where the VM's screen is: a raw RFB (VNC) TCP port, or a hypervisor's VNC websocket. */
export type ConsoleEndpoint =
  | { kind: 'rfb'; host: string; port: number; password?: string }
  | {
      kind: 'websocket';
      url: string;
      headers: Record<string, string>;
      /** The RFB password the hypervisor expects (Proxmox: the vncproxy ticket). */
      password?: string;
      tls?: TlsTrust;
    };

/** How to trust a node with a self-signed certificate: its CA, or its certificate's SHA-256 fingerprint. */
export interface TlsTrust {
  ca?: string;
  fingerprint256?: string;
}

export interface HypervisorDriver {
  /** The node's size and what is used of it. */
  capacity(): Promise<NodeCapacity>;
  /** Every VM on the node (for the reconciler). */
  listVms(): Promise<VmStatus[]>;
  /** One VM, or null when the node has none with this vmid. */
  status(vmid: number): Promise<VmStatus | null>;
  /**
   * Makes the VM (clone of the template, then CPU, memory, cloud-init and disk size) without
   * starting it. When a VM with this vmid and name exists already, it finishes its
   * configuration instead of failing.
   */
  createVm(spec: VmSpec): Promise<void>;
  /** Applies a power action and waits until the node reports it done. `shutdown` falls back to `stop` after `shutdownTimeoutSec`. */
  power(vmid: number, action: PowerAction, opts?: { shutdownTimeoutSec?: number }): Promise<void>;
  /** Destroys the VM and its disks; a VM already gone is success. */
  deleteVm(vmid: number): Promise<void>;
  /** Opens the VM's console for one short session. */
  openConsole(vmid: number): Promise<ConsoleEndpoint>;
}

/**
 * A failure reported by a node. `transient` failures (timeouts, connection refused, lock
 * timeouts, 5xx) may succeed when retried with backoff; the others will not. `detail` holds
 * the node's own account (for Proxmox, the task log) for the action's error.
 */
export class HypervisorError extends Error {
  override name = 'HypervisorError';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** A node as administrators configure it (`/v1/admin/nodes`). */
export interface NodeConfig {
  id: string;
  name: string;
  driver: DriverName;
  /** Proxmox: `https://pve1.example:8006`; simulator: unused. */
  endpoint: string;
  /** Driver-specific secrets (Proxmox: `tokenId`, `tokenSecret`, `nodeName`, TLS trust). Never in API responses. */
  credentials: Record<string, string>;
  /** The size administrators gave the node: the simulator plays it; Proxmox reports its own. */
  size: { cpus: number; memoryMiB: number; diskGiB: number };
}

export type DriverName = 'simulator' | 'proxmox';

import type { PowerState } from '../port.js';

/** Proxmox's answers as the driver reads them, and the value formats it writes. */

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

export interface CurrentStatus {
  status: 'running' | 'stopped';
  qmpstatus?: string;
  name?: string;
  lock?: string;
}

export interface ClusterResource {
  type: string;
  node?: string;
  vmid?: number;
  name?: string;
  status?: string;
  template?: number | boolean;
  storage?: string;
  maxcpu?: number;
  maxmem?: number;
  mem?: number;
  maxdisk?: number;
  disk?: number;
}

export interface VncProxy {
  port: number | string;
  ticket: string;
}

export interface AccessTicket {
  ticket: string;
  CSRFPreventionToken: string;
}

/**
 * The cloud-init `sshkeys` value: Proxmox's schema gives it the `urlencoded` format, which
 * allows only `[-%a-zA-Z0-9_.!~*'()]`, so the newline-joined keys are percent-encoded (a space
 * is %20, never `+`) before the body is form-encoded as usual.
 */
export function encodeSshKeys(keys: string[]): string {
  return encodeURIComponent(keys.map((key) => key.trim()).join('\n'));
}

export function powerStateOf(current: CurrentStatus): PowerState {
  if (current.status === 'stopped') return 'stopped';
  if (current.status !== 'running') return 'unknown';
  if (current.qmpstatus === 'paused' || current.qmpstatus === 'suspended') return 'paused';
  return current.qmpstatus === undefined || current.qmpstatus === 'running' ? 'running' : 'unknown';
}

/** `local-lvm:vm-100-disk-0,size=10G` → 10 (a size in K, M or T is converted; none is 0). */
export function diskSizeGiB(disk: string): number {
  const size = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(disk);
  if (!size) return 0;
  const factor = { '': 1 / GiB, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 }[size[2] ?? ''] ?? 0;
  return Number(size[1]) * factor;
}

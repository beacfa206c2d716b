import { setTimeout as sleep } from 'node:timers/promises';
import { HypervisorError } from '../port.js';
import { LOCK_TIMEOUT, type ProxmoxClient } from './proxmox.client.js';

interface TaskStatus {
  status: 'running' | 'stopped';
  exitstatus?: string;
}

interface TaskLogLine {
  n: number;
  t: string;
}

export interface TaskWait {
  timeoutMs: number;
  pollIntervalMs: number;
}

/** How many lines of a failed task's log are kept as the error's detail. */
const LOG_LINES = 500;

/** A task's node is the second field of its UPID (`UPID:pve1:…`); the VM's node otherwise. */
export function taskNode(upid: string, fallback: string): string {
  const node = upid.split(':')[1];
  return node && upid.startsWith('UPID:') ? node : fallback;
}

/** `OK`, or `WARNINGS: n` (the task did its work and logged warnings), is success. */
export function taskSucceeded(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || (exitstatus?.startsWith('WARNINGS') ?? false);
}

/**
 * Polls a task (its UPID) until it stops, within `timeoutMs`. A failed task throws a
 * HypervisorError carrying its log as `detail`; a lock timeout is transient, another failure
 * is not; a task still running at the deadline is transient (it may finish later).
 */
export async function waitForTask(
  client: ProxmoxClient,
  node: string,
  upid: string,
  wait: TaskWait,
): Promise<void> {
  const path = `/nodes/${encodeURIComponent(taskNode(upid, node))}/tasks/${encodeURIComponent(upid)}`;
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const task = await client.call<TaskStatus>('GET', `${path}/status`);
    if (task.status === 'stopped') {
      if (taskSucceeded(task.exitstatus)) return;
      const exitstatus = task.exitstatus ?? 'unknown error';
      throw new HypervisorError(
        `Proxmox task ${upid} failed: ${exitstatus}`,
        LOCK_TIMEOUT.test(exitstatus),
        await taskLog(client, path),
      );
    }
    if (Date.now() >= deadline) {
      throw new HypervisorError(
        `Proxmox task ${upid} is still running after ${wait.timeoutMs} ms`,
        true,
      );
    }
    await sleep(Math.min(wait.pollIntervalMs, Math.max(0, deadline - Date.now())));
  }
}

async function taskLog(client: ProxmoxClient, path: string): Promise<string> {
  try {
    const lines = await client.call<TaskLogLine[]>('GET', `${path}/log`, {
      start: 0,
      limit: LOG_LINES,
    });
    return lines.map((line) => line.t).join('\n');
  } catch (err) {
    // The task's failure matters more than its log: say the log was out of reach.
    return `(the task log could not be read: ${err instanceof Error ? err.message : String(err)})`;
  }
}

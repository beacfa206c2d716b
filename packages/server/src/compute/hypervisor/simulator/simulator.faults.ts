import { setTimeout as sleep } from 'node:timers/promises';
import { HypervisorError, type PowerAction } from '../port.js';

/** The steps a simulated node takes time over. */
export type SimulatorStep = 'clone' | 'configure' | 'start' | 'stop' | 'shutdown' | 'delete';

/** A fixed time in milliseconds, or a range a time is drawn from each time. */
export type StepDelay = number | { minMs: number; maxMs: number };

export type StepDelays = Record<SimulatorStep, StepDelay>;

/** Quick enough for a newcomer's first VM, slow enough that `provisioning` can be seen. */
export const DEFAULT_STEP_DELAYS: StepDelays = {
  clone: { minMs: 50, maxMs: 200 },
  configure: { minMs: 0, maxMs: 50 },
  start: { minMs: 50, maxMs: 150 },
  stop: { minMs: 0, maxMs: 50 },
  shutdown: { minMs: 50, maxMs: 200 },
  delete: { minMs: 0, maxMs: 100 },
};

/** Every step at once (benchmarks, most tests). */
export const ZERO_STEP_DELAYS: StepDelays = {
  clone: 0,
  configure: 0,
  start: 0,
  stop: 0,
  shutdown: 0,
  delete: 0,
};

/** How long a step takes this time, in milliseconds. */
export function drawDelay(delay: StepDelay): number {
  if (typeof delay === 'number') return Math.max(0, delay);
  const min = Math.max(0, delay.minMs);
  const max = Math.max(min, delay.maxMs);
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** Waits `ms`; zero does not wait at all (not even a timer's turn). */
export async function pause(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms);
}

/** The driver's methods a failure can be injected into. */
export type SimulatorOperation =
  'capacity' | 'listVms' | 'status' | 'createVm' | 'power' | 'deleteVm' | 'openConsole';

/** A failure the simulated node reports, as a real node would, until it has been used up. */
export interface InjectedFailure {
  operation: SimulatorOperation;
  /** Retrying may help (timeouts, lock timeouts, 5xx) or not. */
  transient: boolean;
  message: string;
  /** The node's own account (Proxmox: the task log); the message when absent. */
  detail?: string;
  /** Only for this power action. */
  action?: PowerAction;
  /** Only for this VM. */
  vmid?: number;
  /** How many calls fail; every call until `clearFailures` when absent. */
  times?: number;
  /** createVm only: fail after the clone, leaving a half-made VM behind as a real node does. */
  afterClone?: boolean;
}

/** What the failing call was doing, to match injected failures against. */
export interface FailurePoint {
  operation: SimulatorOperation;
  vmid?: number;
  action?: PowerAction;
  afterClone?: boolean;
}

/** The failures injected into one simulated node, consumed in the order they were injected. */
export class FailurePlan {
  private failures: InjectedFailure[] = [];

  inject(failure: InjectedFailure): void {
    if (failure.times !== undefined && !(Number.isInteger(failure.times) && failure.times > 0)) {
      throw new RangeError('times must be a positive integer');
    }
    this.failures.push({ ...failure });
  }

  clear(): void {
    this.failures = [];
  }

  /** Throws the first injected failure matching `point`, using up one of its times. */
  check(point: FailurePoint): void {
    const index = this.failures.findIndex(
      (f) =>
        f.operation === point.operation &&
        (f.afterClone ?? false) === (point.afterClone ?? false) &&
        (f.vmid === undefined || f.vmid === point.vmid) &&
        (f.action === undefined || f.action === point.action),
    );
    const failure = this.failures[index];
    if (!failure) return;
    if (failure.times !== undefined) {
      failure.times--;
      if (failure.times === 0) this.failures.splice(index, 1);
    }
    throw new HypervisorError(
      failure.message,
      failure.transient,
      failure.detail ?? failure.message,
    );
  }
}

import type { Db } from '../../../db/database.js';
import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  HypervisorError,
  type ConsoleEndpoint,
  type HypervisorDriver,
  type NodeCapacity,
  type PowerAction,
  type VmSpec,
  type VmStatus,
} from '../port.js';
import {
  DEFAULT_STEP_DELAYS,
  FailurePlan,
  drawDelay,
  pause,
  type InjectedFailure,
  type SimulatorStep,
  type StepDelays,
} from './simulator.faults.js';
import { SimulatedConsoles } from './simulator.consoles.js';
import { SimulatedVmsRepo, type NodeSize, type SimulatedVm } from './simulator.repo.js';

export interface SimulatorOptions {
  db: Db;
  /** The node this driver plays (`nodes.id`); its VMs are kept under this id. */
  nodeId: string;
  /** The node's size; what its VMs take is counted against it. */
  capacity: NodeSize;
  /** How long each step takes; unnamed steps keep DEFAULT_STEP_DELAYS. */
  delays?: Partial<StepDelays>;
  clock?: Clock;
  /** Where the VMs' RFB servers listen; loopback by default. */
  consoleHost?: string;
  /** How long `shutdown` waits for the guest when the caller names no timeout. */
  shutdownTimeoutSec?: number;
}

const DEFAULT_SHUTDOWN_TIMEOUT_SEC = 60;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The `simulator` hypervisor: a node that lives in this process, keeps its VMs in the
 * database (so a restart finds them), takes configurable time over each step, fails when
 * told to, and serves each running VM's screen over a real RFB server on loopback.
 *
 * Build one per node and keep it: the RFB servers belong to the instance that opened them.
 */
export class SimulatorDriver implements HypervisorDriver {
  private readonly repo: SimulatedVmsRepo;
  private readonly size: NodeSize;
  private delays: StepDelays;
  private readonly failures = new FailurePlan();
  private readonly consoles: SimulatedConsoles;
  private readonly acpiIgnored = new Set<number>();
  private readonly shutdownTimeoutSec: number;
  /** Calls changing one VM take turns, as a node's per-VM lock makes them. */
  private readonly vmTurns = new Map<number, Promise<void>>();

  constructor(options: SimulatorOptions) {
    this.repo = new SimulatedVmsRepo(options.db, options.nodeId, options.clock ?? systemClock);
    this.size = { ...options.capacity };
    this.delays = { ...DEFAULT_STEP_DELAYS, ...options.delays };
    this.consoles = new SimulatedConsoles(options.consoleHost ?? '127.0.0.1');
    this.shutdownTimeoutSec = options.shutdownTimeoutSec ?? DEFAULT_SHUTDOWN_TIMEOUT_SEC;
  }

  async capacity(): Promise<NodeCapacity> {
    this.failures.check({ operation: 'capacity' });
    const used = await this.repo.usage();
    return { ...this.size, usedMemoryMiB: used.memoryMiB, usedDiskGiB: used.diskGiB };
  }

  async listVms(): Promise<VmStatus[]> {
    this.failures.check({ operation: 'listVms' });
    return (await this.repo.list()).map(statusOf);
  }

  async status(vmid: number): Promise<VmStatus | null> {
    this.failures.check({ operation: 'status', vmid });
    const vm = await this.repo.get(vmid);
    return vm && statusOf(vm);
  }

  async createVm(spec: VmSpec): Promise<void> {
    this.failures.check({ operation: 'createVm', vmid: spec.vmid });
    checkSpec(spec);
    await this.inTurn(spec.vmid, async () => {
      const cloned = await this.repo.cloneWithinCapacity(spec, this.size);
      if (cloned.kind === 'full') {
        const unit = cloned.resource === 'memory' ? 'MiB' : 'GiB';
        throw new HypervisorError(
          `not enough ${cloned.resource} on the node: ${cloned.asked} ${unit} asked, ${Math.max(0, cloned.free)} ${unit} free`,
          false,
        );
      }
      if (cloned.kind === 'exists' && cloned.vm.name !== spec.name) {
        throw new HypervisorError(
          `VM ${spec.vmid} exists on the node as "${cloned.vm.name}", not "${spec.name}"`,
          false,
        );
      }
      if (cloned.kind === 'cloned') await this.step('clone');
      this.failures.check({ operation: 'createVm', vmid: spec.vmid, afterClone: true });
      await this.step('configure');
      await this.repo.configure(spec);
    });
  }

  async power(
    vmid: number,
    action: PowerAction,
    opts: { shutdownTimeoutSec?: number } = {},
  ): Promise<void> {
    this.failures.check({ operation: 'power', vmid, action });
    await this.inTurn(vmid, async () => {
      const vm = await this.repo.get(vmid);
      if (!vm) throw new HypervisorError(`There is no VM ${vmid} on the node`, false);
      const running = vm.powerState !== 'stopped';
      switch (action) {
        case 'start':
          if (!running) {
            await this.step('start');
            await this.repo.setPowerState(vmid, 'running');
          }
          // The screen is drawn when someone first opens the console (openConsole), so that
          // a node of a thousand running VMs does not render a thousand framebuffers.
          return;
        case 'stop':
          if (running) await this.stop(vmid);
          else await this.consoles.close(vmid);
          return;
        case 'shutdown':
          if (running)
            await this.shutdown(vmid, opts.shutdownTimeoutSec ?? this.shutdownTimeoutSec);
          else await this.consoles.close(vmid);
          return;
        case 'reboot':
        case 'reset':
          if (!running) {
            throw new HypervisorError(`VM ${vmid} is not running, so it cannot ${action}`, false);
          }
          if (action === 'reboot') await this.step('shutdown');
          await this.step('start');
          this.consoles.reboot(vm.vmid);
          return;
      }
    });
  }

  async deleteVm(vmid: number): Promise<void> {
    this.failures.check({ operation: 'deleteVm', vmid });
    await this.inTurn(vmid, async () => {
      const vm = await this.repo.get(vmid);
      if (!vm) {
        await this.consoles.close(vmid);
        return;
      }
      if (vm.powerState !== 'stopped') await this.stop(vmid);
      await this.step('delete');
      await this.repo.delete(vmid);
      await this.consoles.close(vmid);
      this.acpiIgnored.delete(vmid);
    });
  }

  async openConsole(vmid: number): Promise<ConsoleEndpoint> {
    this.failures.check({ operation: 'openConsole', vmid });
    const vm = await this.repo.get(vmid);
    if (!vm) throw new HypervisorError(`There is no VM ${vmid} on the node`, false);
    if (vm.powerState !== 'running') {
      throw new HypervisorError(`VM ${vmid} is not running, so it has no console`, false);
    }
    const { host, port } = await this.consoles.ensure(vm.spec);
    return { kind: 'rfb', host, port };
  }

  /** Makes the node fail as described (see InjectedFailure) until the failure is used up. */
  inject(failure: InjectedFailure): void {
    this.failures.inject(failure);
  }

  /** Forgets every injected failure. */
  clearFailures(): void {
    this.failures.clear();
  }

  /** Changes how long steps take from now on. */
  setDelays(delays: Partial<StepDelays>): void {
    this.delays = { ...this.delays, ...delays };
  }

  /** Makes the VM's guest ignore ACPI power buttons, so `shutdown` must fall back to `stop`. */
  ignoreAcpi(vmid: number, ignores = true): void {
    if (ignores) this.acpiIgnored.add(vmid);
    else this.acpiIgnored.delete(vmid);
  }

  /** The guest powers itself off (from inside, behind SwiftCloud's back): drift to reconcile. */
  async guestPowerOff(vmid: number): Promise<void> {
    await this.inTurn(vmid, async () => {
      await this.repo.setPowerState(vmid, 'stopped');
      await this.consoles.close(vmid);
    });
  }

  /** Closes every console this instance serves (the server is stopping); the VMs stay as they are. */
  async close(): Promise<void> {
    await this.consoles.closeAll();
  }

  private async stop(vmid: number): Promise<void> {
    await this.step('stop');
    await this.repo.setPowerState(vmid, 'stopped');
    await this.consoles.close(vmid);
  }

  /** ACPI shutdown: the guest takes its time; past the timeout (or when it ignores ACPI) the VM is stopped. */
  private async shutdown(vmid: number, timeoutSec: number): Promise<void> {
    const timeoutMs = Math.max(0, timeoutSec * 1000);
    const guestMs = this.acpiIgnored.has(vmid) ? Infinity : drawDelay(this.delays.shutdown);
    if (guestMs <= timeoutMs) {
      await pause(guestMs);
      await this.repo.setPowerState(vmid, 'stopped');
      await this.consoles.close(vmid);
      return;
    }
    await pause(timeoutMs);
    await this.stop(vmid);
  }

  private step(name: SimulatorStep): Promise<void> {
    return pause(drawDelay(this.delays[name]));
  }

  private async inTurn<T>(vmid: number, work: () => Promise<T>): Promise<T> {
    const previous = this.vmTurns.get(vmid) ?? Promise.resolve();
    const result = previous.then(work);
    const turn = result.then(
      () => undefined,
      () => undefined,
    );
    this.vmTurns.set(vmid, turn);
    void turn.then(() => {
      if (this.vmTurns.get(vmid) === turn) this.vmTurns.delete(vmid);
    });
    return result;
  }
}

function statusOf(vm: SimulatedVm): VmStatus {
  return { vmid: vm.vmid, name: vm.name, powerState: vm.powerState };
}

function checkSpec(spec: VmSpec): void {
  const problems: string[] = [];
  if (!Number.isInteger(spec.vmid) || spec.vmid < 100 || spec.vmid > 999_999_999) {
    problems.push('vmid must be an integer from 100 to 999999999');
  }
  if (!LABEL.test(spec.name)) problems.push('name must be a hostname label');
  for (const key of ['cores', 'memoryMiB', 'diskGiB'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] <= 0)
      problems.push(`${key} must be a positive integer`);
  }
  if (problems.length > 0) throw new HypervisorError(`invalid VM: ${problems.join('; ')}`, false);
}

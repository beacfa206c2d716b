import type { Db } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import type { DriverName, HypervisorDriver, NodeConfig } from './port.js';
import { createProxmoxDriver } from './proxmox/proxmox.driver.js';
import type { ProxmoxTimings } from './proxmox/proxmox.settings.js';
import { SimulatorDriver, type SimulatorOptions } from './simulator/simulator.driver.js';

/** What drivers share: the database and clock (the simulator keeps its VMs there), and tuning. */
export interface HypervisorDeps {
  db: Db;
  clock: Clock;
  simulator?: Pick<SimulatorOptions, 'delays' | 'consoleHost' | 'shutdownTimeoutSec'>;
  proxmox?: Partial<ProxmoxTimings>;
}

export type DriverFactory = (node: NodeConfig, deps: HypervisorDeps) => HypervisorDriver;

/**
 * Every hypervisor driver by name: the one place that chooses an implementation. A driver
 * name without a factory fails to compile. Build one driver per node and keep it (the
 * simulator's console servers belong to the instance that opened them).
 */
export const hypervisorDrivers = {
  simulator: (node, deps) => {
    return new SimulatorDriver({
      ...deps.simulator,
      db: deps.db,
      clock: deps.clock,
      nodeId: node.id,
      capacity: node.size,
    });
  },
  proxmox: (node, deps) => createProxmoxDriver(node, deps.proxmox),
} satisfies Record<DriverName, DriverFactory>;

/** The driver for a node, by its configured driver name. */
export function createHypervisorDriver(node: NodeConfig, deps: HypervisorDeps): HypervisorDriver {
  const factory: DriverFactory = hypervisorDrivers[node.driver];
  return factory(node, deps);
}

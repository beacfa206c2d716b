import { isDeepStrictEqual } from 'node:util';
import { createHypervisorDriver, type HypervisorDeps } from './drivers.js';
import type { HypervisorDriver, NodeConfig } from './port.js';

/** Where the registry reads a node's configuration (NodesService.config). */
export type NodeConfigSource = (nodeId: string) => Promise<NodeConfig>;

interface Entry {
  config: NodeConfig;
  driver: HypervisorDriver;
}

/**
 * One driver per node for this process, built on first use and kept: the simulator's RFB
 * servers belong to the instance that opened them, and Proxmox clients keep their TLS
 * sessions. When an administrator changes a node (endpoint, credentials, size) the next
 * call builds a fresh driver from the new configuration.
 */
export class HypervisorRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly retired: HypervisorDriver[] = [];

  constructor(
    private readonly source: NodeConfigSource,
    private readonly deps: HypervisorDeps,
  ) {}

  /** The node's driver and configuration. Throws NotFound when the node is gone. */
  async get(nodeId: string): Promise<Entry> {
    const config = await this.source(nodeId);
    const known = this.entries.get(nodeId);
    if (known && isDeepStrictEqual(known.config, config)) return known;
    if (known) this.retired.push(known.driver);
    const entry = { config, driver: createHypervisorDriver(config, this.deps) };
    this.entries.set(nodeId, entry);
    return entry;
  }

  async driverFor(nodeId: string): Promise<HypervisorDriver> {
    return (await this.get(nodeId)).driver;
  }

  /** Closes what drivers hold open (the simulator's console servers). */
  async close(): Promise<void> {
    const drivers = [...this.entries.values()].map((e) => e.driver).concat(this.retired);
    this.entries.clear();
    this.retired.length = 0;
    await Promise.all(
      drivers.map((d) => (d as { close?: () => Promise<void> }).close?.().catch(() => {})),
    );
  }
}

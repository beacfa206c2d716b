import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { SimulatorDriver } from '../src/compute/hypervisor/simulator/simulator.driver.js';
import { ZERO_STEP_DELAYS } from '../src/compute/hypervisor/simulator/simulator.faults.js';
import { cloneTestDatabase } from './support/database.js';
import { describeHypervisorContract } from './support/hypervisor-contract.js';

describeHypervisorContract('simulator', async () => {
  const database = await cloneTestDatabase(inject('templateDump'));
  const driver = new SimulatorDriver({
    db: database.db,
    nodeId: randomUUID(),
    capacity: { cpus: 16, memoryMiB: 65_536, diskGiB: 2_000 },
    delays: { ...ZERO_STEP_DELAYS, clone: 5, start: 5, shutdown: 5 },
  });
  return {
    driver,
    sourceTemplate: 'ubuntu-24.04',
    firstVmid: 1000,
    failNextPower(kind) {
      driver.inject(
        kind === 'transient'
          ? {
              operation: 'power',
              transient: true,
              message: 'VM is locked (simulated lock timeout)',
              times: 1,
            }
          : {
              operation: 'power',
              transient: false,
              message: 'start failed: QEMU exited with code 1',
              detail: 'TASK ERROR: start failed: QEMU exited with code 1',
              times: 1,
            },
      );
    },
    close: async () => {
      await driver.close();
      await database.close();
    },
  };
});

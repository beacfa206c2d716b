import { expect } from 'vitest';
import { createProxmoxDriver } from '../src/compute/hypervisor/proxmox/proxmox.driver.js';
import { FakeProxmox, TEMPLATE_NAME } from './support/fake-proxmox/fake-proxmox.js';
import { describeHypervisorContract } from './support/hypervisor-contract.js';

const attempts = 3;

describeHypervisorContract('proxmox against the schema-checking fake', async () => {
  const fake = await FakeProxmox.start({ taskMs: 5 });
  const driver = createProxmoxDriver(
    {
      id: 'a6a1d6c4-5d1e-4a0e-9d8e-2f1f3c1e8b11',
      name: 'pve1',
      driver: 'proxmox',
      size: { cpus: 16, memoryMiB: 65536, diskGiB: 1000 },
      endpoint: fake.url,
      credentials: fake.credentials(),
    },
    {
      requestTimeoutMs: 2_000,
      retry: { attempts, baseDelayMs: 1, maxDelayMs: 5 },
      taskPollIntervalMs: 2,
      taskTimeoutMs: 5_000,
      longTaskTimeoutMs: 5_000,
    },
  );
  const power = /\/status\/(start|stop|shutdown|reboot|reset)$/;
  return {
    driver,
    sourceTemplate: TEMPLATE_NAME,
    firstVmid: 1000,
    failNextPower(kind) {
      fake.inject({
        method: 'POST',
        path: power,
        // The driver starts a task again after a lock timeout: every attempt meets it.
        times: kind === 'transient' ? attempts : 1,
        fault:
          kind === 'transient'
            ? { kind: 'task-lock-timeout' }
            : {
                kind: 'task-fails',
                exitstatus: 'start failed: QEMU exited with code 1',
                log: [
                  'kvm: -drive file=/dev/pve/vm-disk: Could not open',
                  'TASK ERROR: start failed: QEMU exited with code 1',
                ],
              },
      });
    },
    verify() {
      expect(fake.violations).toEqual([]);
    },
    close: () => fake.close(),
  };
});

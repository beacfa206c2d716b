import { seedFreshInstall } from '../../src/compute/catalog/seed.js';
import { parseIpv4 } from '../../src/compute/ip-pools/ipv4.js';
import type { SimulatorDriver } from '../../src/compute/hypervisor/simulator/simulator.driver.js';
import type { ApiClient } from './client.js';
import type { TestApp } from './test-app.js';

export { sshPublicKey } from './ssh-keys.js';

/** Seeds the fresh-install catalog (templates, sizes, the simulator node sim-1, IP pools). */
export async function seedCatalog(t: TestApp): Promise<{ nodeId: string }> {
  await seedFreshInstall(t.database.db, t.clock);
  const node = await t.database.db
    .selectFrom('nodes')
    .select('id')
    .where('name', '=', 'sim-1')
    .executeTakeFirstOrThrow();
  return { nodeId: node.id };
}

/** The simulator driver this app uses for the node, to inject failures and delays. */
export async function simulatorOf(t: TestApp, nodeId: string): Promise<SimulatorDriver> {
  return (await t.services.hypervisors.driverFor(nodeId)) as SimulatorDriver;
}

/** Polls `read` until `done` holds for what it returns; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, what = 'the condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
    last = await read();
  }
  return last;
}

/** Waits until the VM's status is `status` (through the API). */
export async function vmStatus(api: ApiClient, vmId: string, status: string, timeoutMs = 10_000) {
  const res = await waitFor(
    () => api.get(`/v1/vms/${vmId}`),
    (r) => r.status === 200 && r.body.data.status === status,
    { timeoutMs, what: `VM ${vmId} to be ${status}` },
  );
  return res.body.data;
}

/** Waits until the action has ended (succeeded or failed). */
export async function actionEnded(api: ApiClient, actionId: string, timeoutMs = 10_000) {
  const res = await waitFor(
    () => api.get(`/v1/actions/${actionId}`),
    (r) => r.status === 200 && ['succeeded', 'failed'].includes(r.body.data.status),
    { timeoutMs, what: `action ${actionId} to end` },
  );
  return res.body.data;
}

/** Whether the address (`198.51.100.7`) is handed out now, as its pool's row says. */
export async function isAllocated(t: TestApp, address: string): Promise<boolean> {
  const row = await t.database.db
    .selectFrom('ip_addresses')
    .select('allocated_at')
    .where('address', '=', parseIpv4(address)!)
    .executeTakeFirstOrThrow();
  return row.allocated_at !== null;
}

/**
 * SwiftCloud's DNS server alone in a process, for the benchmark: serves the bench zones on
 * 127.0.0.1 (port 0), prints `port <n>`, then applies `change <i> <variant>` lines from
 * stdin as zone changes (a new serial and one changed address) and prints `changed <i>`.
 */
import { createInterface } from 'node:readline';
import { DnsServer } from '../packages/server/src/dns/server/dns-server.js';
import { LocalZoneChanges } from '../packages/server/test/support/local-zone-changes.js';
import type { Zone, ZoneSource } from '../packages/server/src/dns/zone.js';
import { benchZone, benchZoneName } from './dns-zones.js';

const count = Number(process.argv[2] ?? 1000);
const zones = new Map<string, Zone>();
for (let i = 0; i < count; i++) zones.set(benchZoneName(i), benchZone(i));

const source: ZoneSource = {
  loadAll: async () => [...zones.values()],
  load: async (name) => zones.get(name),
};
const changes = new LocalZoneChanges();
const server = new DnsServer({ host: '127.0.0.1', port: 0, secondaries: [] }, source, changes);
await server.start();
console.log(`port ${server.port}`);

for await (const line of createInterface({ input: process.stdin })) {
  const [command, index, variant] = line.split(' ');
  if (command !== 'change') continue;
  const i = Number(index);
  const old = zones.get(benchZoneName(i))!;
  zones.set(old.name, benchZone(i, old.serial + 1, Number(variant)));
  await changes.changed(old.name);
  console.log(`changed ${i}`);
}
await server.stop();

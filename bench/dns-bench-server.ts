/**
 * The SwiftCloud side of the DNS benchmark: the production build of the app on a fresh
 * PGlite database in SWIFTCLOUD_DATA_DIR, wired like main.ts (DatabaseZoneChanges and the
 * real DnsServer), both listening on 127.0.0.1 with port 0. It seeds one user, one project
 * and BENCH_ZONES (1,000) domains of 20 records each through the services, then prints one
 * JSON line ({httpPort, dnsPort, token, projectId, seedMs}) once both servers are up.
 * It stops on SIGTERM, SIGINT, or when its stdin closes (the driver went away).
 */
import { buildApp, buildServices, type AppDeps } from '../packages/server/dist/app.js';
import { loadConfig } from '../packages/server/dist/config.js';
import { openDatabase } from '../packages/server/dist/db/database.js';
import { migrateToLatest } from '../packages/server/dist/db/migrate.js';
import { DnsServer } from '../packages/server/dist/dns/server/dns-server.js';
import { DatabaseZoneChanges } from '../packages/server/dist/dns/zone-changes.js';
import { systemClock } from '../packages/server/dist/platform/clock.js';
import { benchAccount } from './bench-account.js';
import path from 'node:path';
import { benchRecords, benchZoneName } from './dns-zones.js';

const zones = Number(process.env.BENCH_ZONES ?? 1000);
const dataDir = process.env.SWIFTCLOUD_DATA_DIR;
if (!dataDir) throw new Error('SWIFTCLOUD_DATA_DIR must name a fresh directory');

const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  SWIFTCLOUD_DATA_DIR: dataDir,
  SWIFTCLOUD_LOG_LEVEL: 'warn',
  SWIFTCLOUD_DNS_HOST: '127.0.0.1',
  SWIFTCLOUD_DNS_PORT: '0',
  // Nothing here verifies a domain; should anything try, it stays on loopback.
  SWIFTCLOUD_DNS_ROOT_SERVERS: '127.0.0.1:9',
});
const database = await openDatabase({
  kind: 'pglite',
  dataDir: path.join(config.dataDir, 'pglite'),
});
await migrateToLatest(database.db);
const zoneChanges = new DatabaseZoneChanges(database);
const deps: AppDeps = {
  config,
  db: database.db,
  clock: systemClock,
  dns: {
    check: { check: async () => ({ status: 'pending', delegatedNameservers: [] }) },
    changes: zoneChanges,
  },
};
const services = buildServices(deps);
const app = await buildApp(deps, services);
const dnsServer = new DnsServer(config.dns, services.zones, zoneChanges, {
  log: app.log.child({ component: 'dns' }),
});

let serving = false;
let stopping = false;
async function stop(): Promise<void> {
  // While seeding, queries are in flight and the database is thrown away: just go.
  if (!serving) process.exit(0);
  if (stopping) return;
  stopping = true;
  await app.close();
  await dnsServer.stop().catch(() => undefined);
  await zoneChanges.close();
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();

const seedStarted = performance.now();
const { token, principal } = await benchAccount(services, 'dns-bench');
const project = await services.projects.create(principal, { name: 'DNS benchmark' });
// A few domains at a time: while one waits on the database, another validates.
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 4);
let nextZone = 1;
async function seedZones(): Promise<void> {
  for (let i = nextZone++; i <= zones; i = nextZone++) {
    const domain = await services.domains.create(principal, {
      project_id: project.id,
      name: benchZoneName(i),
    });
    for (const record of benchRecords(i)) {
      await services.records.create(principal, domain.id, record);
    }
  }
}
await Promise.all(Array.from({ length: SEED_CONCURRENCY }, seedZones));
const seedMs = performance.now() - seedStarted;

// Started after seeding, as on a restart: it loads every zone once rather than 20,000 times.
await dnsServer.start();
await app.listen({ port: 0, host: '127.0.0.1' });
serving = true;
const address = app.server.address();
const httpPort = typeof address === 'object' && address ? address.port : 0;
console.log(
  JSON.stringify({
    httpPort,
    dnsPort: dnsServer.port,
    token,
    projectId: project.id,
    seedMs: Math.round(seedMs),
  }),
);

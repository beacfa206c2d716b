/**
 * The server side of the console benchmark: the production build of SwiftCloud on a fresh
 * PGlite database, seeded like a fresh install (catalog and simulator node), with one
 * account, one project and one running VM whose console is the VNC server at
 * BENCH_RFB_PORT (console-source.ts, the simulator's RFB server in its own process).
 * Prints one JSON line ({port, token, vmId}) when it is listening.
 */
import path from 'node:path';
import { buildApp, buildServices, type AppDeps } from '../packages/server/dist/app.js';
import { seedFreshInstall } from '../packages/server/dist/compute/catalog/seed.js';
import { ConsoleRepo } from '../packages/server/dist/compute/console/console.repo.js';
import { ConsoleService } from '../packages/server/dist/compute/console/console.service.js';
import { AuditLog } from '../packages/server/dist/platform/audit.js';
import { DatabaseZoneChanges } from '../packages/server/dist/dns/zone-changes.js';
import { loadConfig } from '../packages/server/dist/config.js';
import { openDatabase } from '../packages/server/dist/db/database.js';
import { migrateToLatest } from '../packages/server/dist/db/migrate.js';
import { systemClock } from '../packages/server/dist/platform/clock.js';
import { benchAccount } from './bench-account.js';

const rfbPort = Number(process.env.BENCH_RFB_PORT);
const dataDir = process.env.BENCH_DATA_DIR ?? path.resolve('.test-cache/bench-console');
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  SWIFTCLOUD_DATA_DIR: dataDir,
  SWIFTCLOUD_LOG_LEVEL: 'warn',
});
const database = await openDatabase({
  kind: 'pglite',
  dataDir: path.join(config.dataDir, 'pglite'),
});
await migrateToLatest(database.db);
await seedFreshInstall(database.db, systemClock);
const deps: AppDeps = {
  config,
  db: database.db,
  clock: systemClock,
  dns: {
    check: { check: async () => ({ status: 'pending', delegatedNameservers: [] }) },
    changes: new DatabaseZoneChanges(database),
  },
};
const built = buildServices(deps);
// The console service as buildServices makes it, but the VM's node answers openConsole with
// the benchmark's VNC server (another process), the one websockify relays too.
const services = {
  ...built,
  consoles: new ConsoleService(
    new ConsoleRepo(database.db),
    built.projects,
    {
      driverFor: async () => ({
        openConsole: async () => ({ kind: 'rfb', host: '127.0.0.1', port: rfbPort }),
      }),
    },
    new AuditLog(database.db),
    systemClock,
    { publicUrl: config.publicUrl },
  ),
};
const app = await buildApp(deps, services);

const { token, principal } = await benchAccount(services, 'console');
const project = await services.projects.create(principal, { name: 'Console benchmark' });

// One running VM on the simulator node, as the VMs module leaves it.
const db = database.db;
const node = await db
  .selectFrom('nodes')
  .select('id')
  .where('driver', '=', 'simulator')
  .executeTakeFirstOrThrow();
const template = await db.selectFrom('templates').select('id').executeTakeFirstOrThrow();
const size = await db.selectFrom('sizes').select('id').executeTakeFirstOrThrow();
const now = new Date();
const vm = await db
  .insertInto('vms')
  .values({
    project_id: project.id,
    name: 'bench-console',
    status: 'running',
    power_state: 'running',
    template_id: template.id,
    size_id: size.id,
    vcpus: 1,
    memory_mib: 1024,
    disk_gib: 10,
    node_id: node.id,
    public_ip: false,
    ip_address: null,
    ip_pool_id: null,
    ssh_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKb7 bench',
    error: null,
    created_by: principal.user.id,
    created_at: now,
    updated_at: now,
  })
  .returning('id')
  .executeTakeFirstOrThrow();

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
console.log(JSON.stringify({ port, token, vmId: vm.id }));

process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => database.close())
    .then(() => process.exit(0));
});

/**
 * The server side of the projects-list benchmark: the production build of SwiftCloud on
 * the database the driver names, seeded with one user, 10 projects and an API key, plus a
 * bare route that answers the same bytes as the authenticated list without any work.
 * Prints one JSON line ({port, token, apiKey, bodyBytes}) when it is listening.
 */
import path from 'node:path';
import { buildApp, buildServices, type AppDeps } from '../packages/server/dist/app.js';
import { DatabaseZoneChanges } from '../packages/server/dist/dns/zone-changes.js';
import { loadConfig } from '../packages/server/dist/config.js';
import { openDatabase } from '../packages/server/dist/db/database.js';
import { migrateToLatest } from '../packages/server/dist/db/migrate.js';
import { systemClock } from '../packages/server/dist/platform/clock.js';
import { benchAccount } from './bench-account.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const dataDir = process.env.BENCH_DATA_DIR ?? path.resolve('.test-cache/bench-data');

const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  SWIFTCLOUD_DATA_DIR: dataDir,
  SWIFTCLOUD_LOG_LEVEL: 'warn',
  SWIFTCLOUD_DB_POOL_SIZE: '20',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});
const database = await openDatabase(
  config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') },
);
await migrateToLatest(database.db);
// Nothing here verifies domains: the check is never called, and announcements go nowhere.
const deps: AppDeps = {
  config,
  db: database.db,
  clock: systemClock,
  dns: {
    check: { check: async () => ({ status: 'pending', delegatedNameservers: [] }) },
    changes: new DatabaseZoneChanges(database),
  },
};
const services = buildServices(deps);
const app = await buildApp(deps, services);

const { token, principal } = await benchAccount(services, 'bench');
for (let i = 1; i <= 10; i++) {
  await services.projects.create(principal, {
    name: `Project ${i}`,
    description: 'Benchmark project',
  });
}
const { key } = await services.apiKeys.create(principal, {
  name: 'bench',
  scope: 'read',
  projectId: null,
  expiresAt: null,
});

// The bare route is declared before the app is ready; it answers the bytes of the real list.
let body = '';
app.get('/bench/bare', { config: { access: 'public' } }, async (_request, reply) =>
  reply.header('content-type', 'application/json; charset=utf-8').send(body),
);

const real = await app.inject({
  url: '/v1/projects',
  headers: { authorization: `Bearer ${token}` },
});
if (real.statusCode !== 200) throw new Error(`seeding failed: ${real.statusCode} ${real.body}`);
body = real.body;

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
console.log(JSON.stringify({ port, token, apiKey: key, bodyBytes: Buffer.byteLength(body) }));

process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => database.close())
    .then(() => process.exit(0));
});

import path from 'node:path';
import { ensureConfiguredAdmin } from './admin/admin-account.js';
import { buildApp, buildServices } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseTarget } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { systemClock } from './platform/clock.js';

const PURGE_SESSIONS_EVERY_MS = 15 * 60_000;

function databaseTarget(config: Config): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  const database = await openDatabase(databaseTarget(config));
  const applied = await migrateToLatest(database.db);
  const clock = systemClock;
  const services = buildServices({ config, db: database.db, clock });
  const app = await buildApp({ config, db: database.db, clock }, services);
  app.log.info({ applied, database: database.kind }, 'database ready');

  if (config.admin) {
    const outcome = await ensureConfiguredAdmin(services.users, config.admin, clock);
    app.log.info({ email: config.admin.email, outcome }, 'platform administrator');
  }

  const purge = setInterval(() => {
    services.sessions
      .purgeExpired()
      .catch((err: unknown) => app.log.warn({ err }, 'session purge failed'));
  }, PURGE_SESSIONS_EVERY_MS);
  purge.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(purge);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const base = config.publicUrl.origin;
  app.log.info(
    {
      url: base,
      database: database.kind === 'pglite' ? `embedded, in ${config.dataDir}` : 'PostgreSQL',
    },
    `SwiftCloud is up. Sign up with POST ${base}/v1/auth/register or sign in with POST ${base}/v1/auth/login; API reference at ${base}/docs`,
  );
}

main().catch((err: unknown) => {
  // A failed migration or an unreachable database stops the start, loudly.
  console.error('SwiftCloud failed to start:', err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause) console.error('cause:', err.cause);
  process.exit(1);
});

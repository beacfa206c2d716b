import { ensureConfiguredAdmin } from './admin/admin-account.js';
import { buildApp, buildServices, type AppDeps } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { databaseTarget, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { startMetering } from './billing/billing.jobs.js';
import { seedFreshInstall } from './compute/catalog/seed.js';
import { startComputeWorkers } from './compute/compute.js';
import { DnsServer } from './dns/server/dns-server.js';
import { DelegationResolver } from './dns/verification/delegation-resolver.js';
import { NameserverVerifier } from './dns/verification/nameserver-check.js';
import { startDueChecks } from './dns/verification/verification.jobs.js';
import { DatabaseZoneChanges } from './dns/zone-changes.js';
import { systemClock } from './platform/clock.js';

const PURGE_SESSIONS_EVERY_MS = 15 * 60_000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/** The composition root of a running SwiftCloud: API, DNS server and background jobs. */
async function main(): Promise<void> {
  const config = readConfig();
  const clock = systemClock;
  const database = await openDatabase(databaseTarget(config));
  const applied = await migrateToLatest(database.db);
  // A fresh install gets a catalog, a simulator node and IP pools, so a VM can be made at once.
  const seeded = await seedFreshInstall(database.db, clock);

  const zoneChanges = new DatabaseZoneChanges(database);
  const verifier = new NameserverVerifier(
    new DelegationResolver({ rootServers: config.dns.rootServers }),
  );
  const deps: AppDeps = {
    config,
    db: database.db,
    clock,
    dns: { check: verifier, changes: zoneChanges },
  };
  const services = buildServices(deps);
  const app = await buildApp(deps, services);
  app.log.info({ applied, database: database.kind, catalog: seeded }, 'database ready');

  if (config.admin) {
    const outcome = await ensureConfiguredAdmin(services.users, config.admin, clock);
    app.log.info({ email: config.admin.email, outcome }, 'platform administrator');
  }

  const dnsServer = new DnsServer(config.dns, services.zones, zoneChanges, {
    log: app.log.child({ component: 'dns' }),
  });
  await dnsServer.start();
  const domainChecks = startDueChecks({
    repo: services.domainChecks,
    verifier,
    clock,
    nameservers: config.dns.nameservers,
    logger: app.log.child({ component: 'nameserver-checks' }),
  });
  const compute = await startComputeWorkers({
    config,
    database,
    clock,
    services,
    logger: app.log.child({ component: 'compute' }),
  });
  const metering = startMetering({
    meter: services.meter,
    policy: services.billingPolicy,
    intervalMs: config.billing.meterIntervalMs,
    logger: app.log.child({ component: 'billing' }),
  });
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
    await metering.stop();
    await compute.stop();
    await services.hypervisors.close();
    await domainChecks.stop();
    await dnsServer.stop();
    await zoneChanges.close();
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
      dns: `${config.dns.host}:${dnsServer.port}`,
      database: database.kind === 'pglite' ? `embedded, in ${config.dataDir}` : 'PostgreSQL',
    },
    `SwiftCloud is up. Open ${base} in a browser to sign up or sign in (the web console); API reference at ${base}/docs`,
  );
}

main().catch((err: unknown) => {
  // A failed migration, an unreachable database or a taken port stops the start, loudly.
  console.error('SwiftCloud failed to start:', err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause) console.error('cause:', err.cause);
  process.exit(1);
});

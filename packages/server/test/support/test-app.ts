import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp, buildServices, type AppDeps, type Services } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { checkJournal } from '../../src/billing/journal-check.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import type { Clock } from '../../src/platform/clock.js';
import { DatabaseZoneChanges } from '../../src/dns/zone-changes.js';
import { startComputeWorkers, type ComputeWorkers } from '../../src/compute/compute.js';
import { ApiClient } from './client.js';
import { FakeNameserverCheck } from './dns-fakes.js';
import { cloneTestDatabase } from './database.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestApp {
  url: string;
  /** What the app was built from (to build a second server on the same database). */
  deps: AppDeps;
  config: Config;
  clock: ManualClock;
  database: DatabaseHandle;
  services: Services;
  /** The VM job runner and the reconciler (not started periodically: call reconcileOnce). */
  compute: ComputeWorkers | undefined;
  app: FastifyInstance;
  /** A client with no credentials; `.as(token)` gives one that sends a bearer token. */
  api: ApiClient;
  /** Stops the app, checks the billing journal (throwing on any difference), drops the database. */
  close(): Promise<void>;
}

/**
 * The real SwiftCloud app on a fresh database, listening on loopback, with a manual clock.
 * `settings` are environment variables as an operator would set them; `overrides.dns` replaces
 * the nameserver check (by default a fake answering pending) and the zone-change announcements.
 */
export async function startTestApp(
  settings: Record<string, string> = {},
  overrides: {
    dns?: Partial<AppDeps['dns']>;
    funds?: AppDeps['funds'];
    /** Run VM jobs in this app (default true). */
    computeWorkers?: boolean;
  } = {},
): Promise<TestApp> {
  const database = await cloneTestDatabase(inject('templateDump'));
  const clock = new ManualClock();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWIFTCLOUD_DATA_DIR: '.test-cache/unused',
    SWIFTCLOUD_PUBLIC_URL: 'http://localhost:8080',
    SWIFTCLOUD_LOG_LEVEL: 'silent',
    // Tests never reach the internet: whatever resolves names starts from loopback.
    SWIFTCLOUD_DNS_ROOT_SERVERS: '127.0.0.1:9',
    ...settings,
  });
  // The internet's DNS is faked (every domain stays pending); announcements are real.
  const dns: AppDeps['dns'] = {
    check: overrides.dns?.check ?? new FakeNameserverCheck(),
    changes: overrides.dns?.changes ?? new DatabaseZoneChanges(database),
  };
  const deps: AppDeps = {
    config,
    db: database.db,
    clock,
    dns,
    ...(overrides.funds ? { funds: overrides.funds } : {}),
  };
  const services = buildServices(deps);
  const app = await buildApp(deps, services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const compute =
    overrides.computeWorkers === false
      ? undefined
      : await startComputeWorkers(
          { config, database, clock, services },
          { pollIntervalMs: 25, reconcile: false },
        );
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    deps,
    config,
    clock,
    database,
    services,
    compute,
    app,
    api: new ApiClient(url),
    // Every test file ends with the billing journal checked against the cached balances:
    // a difference fails the file.
    close: async () => {
      await app.close();
      await compute?.stop();
      await services.hypervisors.close();
      let differences;
      try {
        differences = await checkJournal(database.db);
      } finally {
        await database.close();
      }
      if (differences.length > 0) {
        throw new Error(
          `The billing journal check found ${differences.length} difference(s):\n` +
            differences.map((d) => `  ${d.message}`).join('\n'),
        );
      }
    },
  };
}

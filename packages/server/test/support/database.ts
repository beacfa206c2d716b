import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';

/**
 * Where the integration suite runs: embedded PGlite by default, or the PostgreSQL server
 * named by SWIFTCLOUD_TEST_DATABASE_URL (CI runs the suite both ways).
 */
export const TEST_SERVER_URL = process.env.SWIFTCLOUD_TEST_DATABASE_URL;
export const TEMPLATE_DB = 'swiftcloud_test_template';

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file, cloned from the migrated template the global setup
 * built: a copy of the PGlite data folder, or CREATE DATABASE ... TEMPLATE on PostgreSQL.
 */
export async function cloneTestDatabase(templateDump: string): Promise<DatabaseHandle> {
  if (!TEST_SERVER_URL) {
    const blob = new Blob([await readFile(templateDump)]);
    return openDatabase({ kind: 'pglite', loadDataDir: blob });
  }
  const name = `swiftcloud_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  const handle = await openDatabase({
    kind: 'postgres',
    url: databaseUrl(TEST_SERVER_URL, name),
    poolSize: 10,
  });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

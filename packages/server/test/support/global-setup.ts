import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { TEMPLATE_DB, TEST_SERVER_URL, adminQuery, databaseUrl } from './database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDump: string;
  }
}

/** Migrates one template database for the whole run; each test file clones it. */
export default async function setup(project: TestProject): Promise<void> {
  const dump = path.resolve('.test-cache/template.tar');
  if (TEST_SERVER_URL) {
    await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${TEMPLATE_DB}`);
    const handle = await openDatabase({
      kind: 'postgres',
      url: databaseUrl(TEST_SERVER_URL, TEMPLATE_DB),
      poolSize: 1,
    });
    await migrateToLatest(handle.db);
    await handle.close();
  } else {
    const handle = await openDatabase({ kind: 'pglite' });
    await migrateToLatest(handle.db);
    const blob = await handle.pglite!.dumpDataDir('none');
    await mkdir(path.dirname(dump), { recursive: true });
    await writeFile(dump, Buffer.from(await blob.arrayBuffer()));
    await handle.close();
  }
  project.provide('templateDump', dump);
}

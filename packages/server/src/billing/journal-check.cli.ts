/**
 * `npm run billing:check`: checks the whole billing journal of the configured database
 * (DATABASE_URL, or the PGlite data folder under SWIFTCLOUD_DATA_DIR) against the cached
 * balances. Prints each difference; exits 1 when there is any, 2 on bad config.
 */
import { ConfigError, loadConfig } from '../config.js';
import { databaseTarget, openDatabase } from '../db/database.js';
import { isMigrated } from '../db/migrate.js';
import { checkJournal } from './journal-check.js';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const database = await openDatabase(databaseTarget(config));
  try {
    if (!(await isMigrated(database.db))) {
      console.error('billing:check: the database is not migrated; start SwiftCloud once first');
      return 2;
    }
    const differences = await checkJournal(database.db);
    for (const d of differences) console.log(`${d.kind}: ${d.message}`);
    const [entries] = (
      await database.db
        .selectFrom('journal_entries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .execute()
    ).map((r) => Number(r.n));
    if (differences.length > 0) {
      console.log(`billing:check: ${differences.length} difference(s) in ${entries} entries`);
      return 1;
    }
    console.log(`billing:check: ${entries} entries, every one balanced; cached balances agree`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('billing:check failed:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);

import { Migrator, sql, type MigrationProvider } from 'kysely';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Applies every pending migration. Kysely takes a PostgreSQL advisory lock for the run, so
 * two instances starting at once apply each migration once; a failure throws, and the
 * caller stops the start.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const which = failed ? `migration ${failed.migrationName} failed` : 'migrations failed';
    throw new MigrationError(
      `${which}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every migration this build knows has been applied. */
export async function isMigrated(db: Db): Promise<boolean> {
  try {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from kysely_migration`.execute(db);
    return (rows[0]?.n ?? 0) >= Object.keys(migrations).length;
  } catch {
    return false;
  }
}

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import { isMigrated, MigrationError, migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { TEST_SERVER_URL, adminQuery, databaseUrl } from './support/database.js';

const ALL = Object.keys(migrations);
const TABLES = ['users', 'sessions', 'projects', 'project_members', 'api_keys', 'audit_events'];

async function recorded(db: Db): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

async function tablesIn(db: Db): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public'
  `.execute(db);
  return rows.map((r) => r.table_name);
}

describe('migrations on embedded PGlite', () => {
  it('apply every migration to a fresh database, then none on the next run', async () => {
    expect(ALL.length).toBeGreaterThan(0);
    const handle = await openDatabase({ kind: 'pglite' });
    try {
      expect(await isMigrated(handle.db)).toBe(false);
      expect(await migrateToLatest(handle.db)).toEqual(ALL);
      expect(await isMigrated(handle.db)).toBe(true);
      expect(await migrateToLatest(handle.db)).toEqual([]);
      expect(await recorded(handle.db)).toEqual([...ALL].sort());
      expect(await tablesIn(handle.db)).toEqual(expect.arrayContaining(TABLES));
    } finally {
      await handle.close();
    }
  });

  it('stop with a MigrationError naming the migration that failed, and record nothing of it', async () => {
    const handle = await openDatabase({ kind: 'pglite' });
    try {
      // A table already in the way makes the first migration fail part-way through.
      await sql`create table api_keys (id int)`.execute(handle.db);
      const failure = await migrateToLatest(handle.db).then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(MigrationError);
      expect((failure as Error).message).toContain(`migration ${ALL[0]} failed`);
      expect(await isMigrated(handle.db)).toBe(false);
      expect(await recorded(handle.db)).toEqual([]);
      // The migration runs in one transaction: the tables it made before failing are gone.
      expect(await tablesIn(handle.db)).not.toContain('users');
    } finally {
      await handle.close();
    }
  });
});

describe('migrations on PostgreSQL', () => {
  it.runIf(TEST_SERVER_URL !== undefined)(
    'run once when two instances migrate the same fresh database at the same time',
    async () => {
      const name = `swiftcloud_migrate_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      const url = databaseUrl(TEST_SERVER_URL!, name);
      const [a, b] = await Promise.all([
        openDatabase({ kind: 'postgres', url, poolSize: 2 }),
        openDatabase({ kind: 'postgres', url, poolSize: 2 }),
      ]);
      try {
        const [appliedByA, appliedByB] = await Promise.all([
          migrateToLatest(a.db),
          migrateToLatest(b.db),
        ]);
        expect([...appliedByA, ...appliedByB].sort()).toEqual([...ALL].sort());
        const { rows } = await sql<{ name: string; n: number }>`
          select name, count(*)::int as n from kysely_migration group by name order by name
        `.execute(a.db);
        expect(rows).toEqual([...ALL].sort().map((m) => ({ name: m, n: 1 })));
        expect(await tablesIn(b.db)).toEqual(expect.arrayContaining(TABLES));
        expect(await isMigrated(a.db)).toBe(true);
        expect(await isMigrated(b.db)).toBe(true);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    },
  );
});

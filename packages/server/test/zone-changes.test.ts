import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.js';
import { DatabaseZoneChanges } from '../src/dns/zone-changes.js';
import { cloneTestDatabase, TEST_SERVER_URL } from './support/database.js';

let database: DatabaseHandle;
let changes: DatabaseZoneChanges;
const heard: string[] = [];
let resyncs = 0;

beforeAll(async () => {
  database = await cloneTestDatabase(inject('templateDump'));
  changes = new DatabaseZoneChanges(database);
  await changes.subscribe(
    (name) => heard.push(name),
    () => (resyncs += 1),
  );
});

afterAll(async () => {
  await changes.close();
  await database.close();
});

async function until(predicate: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('zone changes announced through the database', () => {
  it('delivers each announced change to the subscriber, within 100 ms', async () => {
    const started = Date.now();
    await changes.changed('example.co.zm');
    await until(() => heard.includes('example.co.zm'));
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('delivers changes in the order they were announced', async () => {
    heard.length = 0;
    for (const name of ['a.co.zm', 'b.co.zm', 'c.co.zm']) await changes.changed(name);
    await until(() => heard.length === 3);
    expect(heard).toEqual(['a.co.zm', 'b.co.zm', 'c.co.zm']);
  });

  it('announces a change made within a transaction once it commits, and drops it on rollback', async () => {
    heard.length = 0;
    await database.db.transaction().execute(async (tx) => {
      await changes.changed('in-transaction.co.zm', tx);
      await new Promise((r) => setTimeout(r, 50));
      expect(heard).not.toContain('in-transaction.co.zm');
    });
    await until(() => heard.includes('in-transaction.co.zm'));
    await database.db
      .transaction()
      .execute(async (tx) => {
        await changes.changed('rolled-back.co.zm', tx);
        throw new Error('roll back');
      })
      .catch(() => {});
    await changes.changed('committed.co.zm');
    await until(() => heard.includes('committed.co.zm'));
    expect(heard).not.toContain('rolled-back.co.zm');
  });

  it.runIf(TEST_SERVER_URL)(
    'listens again after its connection is killed, resyncs, and hears later changes',
    async () => {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where query like 'LISTEN swiftcloud_zone_changed%' and pid <> pg_backend_pid()`.execute(
        database.db,
      );
      await until(() => resyncs === 1, 5_000);
      heard.length = 0;
      await changes.changed('after-reconnect.co.zm');
      await until(() => heard.includes('after-reconnect.co.zm'));
    },
  );
});

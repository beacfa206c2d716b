import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import { TEST_SERVER_URL, adminQuery } from './support/database.js';

async function backendPid(db: Db): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return rows[0]!.pid;
}

describe('the PostgreSQL pool', () => {
  it.runIf(TEST_SERVER_URL !== undefined)(
    'survives the server ending an idle connection and serves the next query on a new one',
    async () => {
      const handle = await openDatabase({ kind: 'postgres', url: TEST_SERVER_URL!, poolSize: 1 });
      try {
        const pid = await backendPid(handle.db);
        // What a PostgreSQL restart or failover does to every idle connection of the pool.
        await adminQuery(`select pg_terminate_backend(${pid})`);
        let next: number | undefined;
        for (let attempt = 0; attempt < 40 && next === undefined; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          next = await backendPid(handle.db).catch(() => undefined);
        }
        expect(next).toBeDefined();
        expect(next).not.toBe(pid);
      } finally {
        await handle.close();
      }
    },
  );
});

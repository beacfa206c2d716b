import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PglitePool } from './pglite-pool.js';
import { PreparedStatementPool } from './prepared-pool.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob }
  | { kind: 'postgres'; url: string; poolSize: number };

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseTarget['kind'];
  /** The embedded database itself, when there is one (to dump it, for tests' templates). */
  pglite?: PGlite;
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;

// bigint columns hold counts and ngwee amounts; both stay far below 2^53, and a value
// past that is refused loudly rather than rounded.
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`bigint ${value} is beyond JavaScript's safe integers`);
  return n;
}

/** Opens the database: embedded PGlite (a folder, or in memory) or PostgreSQL through a pool. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8
            ? parseInt8
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server ends (restart, failover, pg_terminate_backend) is an
    // 'error' event on the pool; unheard, it would crash the process. The pool has already
    // dropped that connection and opens a new one for the next query, which reports its own errors.
    pool.on('error', () => {});
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new PreparedStatementPool(pool) }),
    });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(target.dataDir ? { dataDir: target.dataDir } : {}),
    ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    parsers: { [INT8]: parseInt8, [NUMERIC]: (v: string) => v },
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new PglitePool(pglite) }),
  });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}

/** True when the database answers a query. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

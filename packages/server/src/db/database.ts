import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PglitePool } from './pglite-pool.js';
import { PreparedStatementPool } from './prepared-pool.js';
import type { Config } from '../config.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob }
  | { kind: 'postgres'; url: string; poolSize: number };

/** Where the configured database is: PostgreSQL at DATABASE_URL, else PGlite in the data folder. */
export function databaseTarget(config: Config): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') };
}

/** Stops a subscription made with `listen`. */
export type Unlisten = () => Promise<void>;

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseTarget['kind'];
  /**
   * Calls `onMessage` with the payload of each `NOTIFY channel` (from any process sharing
   * the database), and `onResync` after the listening connection was lost and made again,
   * when notifications may have been missed. `channel` is a plain identifier.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onResync: () => void,
  ): Promise<Unlisten>;
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
    return {
      db,
      kind: 'postgres',
      listen: (channel, onMessage, onResync) =>
        listenOnPostgres(target.url, channel, onMessage, onResync),
      close: () => db.destroy(),
    };
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
  return {
    db,
    kind: 'pglite',
    pglite,
    // One process holds an embedded database, so its notifications are never missed.
    listen: async (channel, onMessage) => {
      assertChannel(channel);
      const stop = await pglite.listen(channel, onMessage);
      return () => stop();
    },
    close: () => db.destroy(),
  };
}

function assertChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
}

const RELISTEN_MAX_DELAY_MS = 10_000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries), made
 * again with backoff whenever it is lost; each new connection is a resync.
 */
async function listenOnPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onResync: () => void,
): Promise<Unlisten> {
  assertChannel(channel);
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    c.on('notification', (n) => {
      if (n.channel === channel) onMessage(n.payload ?? '');
    });
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
    delay = 100;
  };

  const reconnect = (lost: pg.Client): void => {
    if (stopped || client !== lost) return;
    client = undefined;
    lost.end().catch(() => {});
    const attempt = (): void => {
      retry = setTimeout(() => {
        if (stopped) return;
        connect().then(onResync, () => {
          delay = Math.min(delay * 2, RELISTEN_MAX_DELAY_MS);
          attempt();
        });
      }, delay);
    };
    attempt();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
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

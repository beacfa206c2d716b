import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

const WRITE_COMMAND = /^\s*(insert|update|delete|merge)\b/i;

/**
 * Presents one embedded PGlite database to Kysely's PostgreSQL dialect as a pool of a
 * single connection. PGlite has one session, so a connection is lent to one borrower at
 * a time: that keeps a transaction's statements from interleaving with anyone else's.
 */
export class PglitePool implements PostgresPool {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly db: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => turn);
    await previous;
    let released = false;
    return {
      query: (async (sql: string, parameters: readonly unknown[]) =>
        this.query(sql, parameters)) as PostgresPoolClient['query'],
      release: () => {
        if (!released) {
          released = true;
          release();
        }
      },
    };
  }

  private async query(
    sql: string,
    parameters: readonly unknown[],
  ): Promise<PostgresQueryResult<unknown>> {
    // Statements without parameters may hold several commands (migrations); only exec runs those.
    const result =
      parameters.length === 0
        ? (await this.db.exec(sql)).at(-1)
        : await this.db.query(sql, [...parameters]);
    const command = WRITE_COMMAND.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT';
    return {
      command: command as PostgresQueryResult<unknown>['command'],
      rowCount: result?.affectedRows ?? result?.rows.length ?? 0,
      rows: result?.rows ?? [],
    };
  }

  async end(): Promise<void> {
    await this.tail;
    await this.db.close();
  }
}

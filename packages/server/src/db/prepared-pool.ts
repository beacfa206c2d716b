import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

const MAX_STATEMENTS = 2_000;

/**
 * Presents a pg pool to Kysely with every parameterised query run as a named prepared
 * statement, so PostgreSQL parses and plans each query shape once per connection rather
 * than on every call. Queries without parameters (transaction control, migrations, which
 * may hold several commands) stay simple queries. Kysely always lists the columns it
 * selects, so a migration that adds columns does not change a prepared result's shape.
 */
export class PreparedStatementPool implements PostgresPool {
  private readonly names = new Map<string, string>();

  constructor(private readonly pool: pg.Pool) {}

  private nameFor(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < MAX_STATEMENTS) {
      name = `sc${this.names.size}`;
      this.names.set(sql, name);
    }
    return name;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    const query = ((sqlOrCursor: unknown, parameters?: readonly unknown[]) => {
      if (typeof sqlOrCursor !== 'string' || !parameters || parameters.length === 0) {
        return (client.query as (...args: unknown[]) => unknown)(sqlOrCursor, parameters);
      }
      const name = this.nameFor(sqlOrCursor);
      return client.query({
        text: sqlOrCursor,
        values: [...parameters],
        ...(name ? { name } : {}),
      });
    }) as PostgresPoolClient['query'];
    return { query, release: (destroy?: boolean) => client.release(destroy) };
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

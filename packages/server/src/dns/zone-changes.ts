import { sql } from 'kysely';
import type { DatabaseHandle, Db, Unlisten } from '../db/database.js';
import type { ZoneChanges } from './zone.js';

const CHANNEL = 'swiftcloud_zone_changed';

/**
 * Zone changes announced through the database (`NOTIFY`), so that the DNS server of every
 * API instance sharing it hears every change, its own included.
 */
export class DatabaseZoneChanges implements ZoneChanges {
  private readonly subscriptions: Unlisten[] = [];

  constructor(private readonly database: DatabaseHandle) {}

  async changed(name: string, within: Db = this.database.db): Promise<void> {
    // NOTIFY is transactional: sent in the change's transaction, it goes out on commit only.
    await sql`select pg_notify(${CHANNEL}, ${name})`.execute(within);
  }

  async subscribe(onChange: (name: string) => void, onResync: () => void): Promise<Unlisten> {
    const unlisten = await this.database.listen(CHANNEL, onChange, onResync);
    this.subscriptions.push(unlisten);
    return unlisten;
  }

  /** Ends every subscription (their connections included). */
  async close(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((stop) => stop()));
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The DNS model shared by the domains API (which builds zones from the database) and the
 * authoritative server (which answers from an in-memory copy of them). Names are absolute,
 * lowercase, punycode, without the trailing dot (`www.example.co.zm`); the apex is the
 * zone's own name. Record data uses dns-packet's shapes, so the server encodes it as is.
 */
export type RecordType = 'SOA' | 'NS' | 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'SRV' | 'CAA';

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export type ServedRecord =
  | { name: string; type: 'SOA'; ttl: number; data: SoaData }
  | { name: string; type: 'NS' | 'CNAME'; ttl: number; data: string }
  | { name: string; type: 'A' | 'AAAA'; ttl: number; data: string }
  | { name: string; type: 'MX'; ttl: number; data: { preference: number; exchange: string } }
  /** Each string at most 255 bytes. */
  | { name: string; type: 'TXT'; ttl: number; data: string[] }
  | {
      name: string;
      type: 'SRV';
      ttl: number;
      data: { priority: number; weight: number; port: number; target: string };
    }
  | {
      name: string;
      type: 'CAA';
      ttl: number;
      data: { flags: number; tag: 'issue' | 'issuewild' | 'iodef'; value: string };
    };

export interface Zone {
  /** The apex, e.g. `example.co.zm`. */
  name: string;
  serial: number;
  /** Every record of the zone, the SOA and apex NS included. */
  records: ServedRecord[];
}

/** Where the DNS server's copy of the zones comes from: the database, through the domains module. */
export interface ZoneSource {
  /** Every zone that is served now. */
  loadAll(): Promise<Zone[]>;
  /** One zone by its apex name, or undefined when it is no longer served. */
  load(name: string): Promise<Zone | undefined>;
}

/** Tells every DNS server (in this process and in other instances) that a zone changed. */
export interface ZoneChanges {
  /**
   * Announces a change of the zone `name` (records, serial, or the zone added or removed).
   * Given the change's own transaction, the announcement is heard if and only if it commits.
   */
  changed(name: string, within?: Kysely<Database>): Promise<void>;
  /**
   * Calls `onChange` for each announced change, and `onResync` when announcements may have
   * been missed; answers a function that ends the subscription.
   */
  subscribe(onChange: (name: string) => void, onResync: () => void): Promise<() => Promise<void>>;
}

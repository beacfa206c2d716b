import { sql } from 'kysely';
import type { CustomerRecordType } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { parseCaaContent, parseSrvContent, splitTxt } from './records.content.js';
import { absoluteName } from './records.validation.js';
import type { ServedRecord, Zone, ZoneSource } from './zone.js';

/** What the platform puts in every zone: its nameservers (apex NS, SOA MNAME) and the SOA RNAME. */
export interface PlatformDns {
  nameservers: string[];
  hostmaster: string;
}

/** TTL of the platform's SOA and apex NS records. */
export const PLATFORM_TTL = 3_600;
/** SOA timers (RFC 1912 ranges): refresh, retry, expire; minimum is the negative-caching TTL. */
export const SOA_TIMERS = { refresh: 3_600, retry: 600, expire: 1_209_600, minimum: 300 };

/** A stored record's fields, as the builder needs them. */
export interface StoredRecord {
  name: string;
  type: CustomerRecordType;
  content: string;
  ttl: number;
  priority: number | null;
}

/** A stored (already normalised) record in dns-packet's shape, with its absolute name. */
export function servedRecord(r: StoredRecord, zone: string): ServedRecord {
  const name = absoluteName(r.name, zone);
  const ttl = r.ttl;
  switch (r.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
      return { name, type: r.type, ttl, data: r.content };
    case 'MX':
      return { name, type: 'MX', ttl, data: { preference: r.priority ?? 0, exchange: r.content } };
    case 'SRV': {
      const { weight, port, target } = parseSrvContent(r.content);
      return { name, type: 'SRV', ttl, data: { priority: r.priority ?? 0, weight, port, target } };
    }
    case 'CAA':
      return { name, type: 'CAA', ttl, data: parseCaaContent(r.content) };
    case 'TXT':
      return { name, type: 'TXT', ttl, data: splitTxt(r.content) };
  }
}

/**
 * The zone of a domain: the platform's SOA and apex NS (made here from config, never
 * stored, so a change of nameservers reaches every zone) and the customer's records.
 */
export function buildZone(
  domain: { name: string; serial: number },
  records: StoredRecord[],
  platform: PlatformDns,
): Zone {
  const apex = domain.name;
  const soa: ServedRecord = {
    name: apex,
    type: 'SOA',
    ttl: PLATFORM_TTL,
    data: {
      mname: platform.nameservers[0]!,
      rname: platform.hostmaster,
      serial: domain.serial,
      ...SOA_TIMERS,
    },
  };
  const ns = platform.nameservers.map((host): ServedRecord => ({
    name: apex,
    type: 'NS',
    ttl: PLATFORM_TTL,
    data: host,
  }));
  return {
    name: apex,
    serial: domain.serial,
    records: [soa, ...ns, ...records.map((r) => servedRecord(r, apex))],
  };
}

/**
 * The ZoneSource over the database. A name is served from its active claim; while it has
 * none, from its earliest pending claim (a new domain is served at once, and a later claim
 * in another project cannot take over a name before verifying). Failed claims are not served.
 */
export class ZonesRepo implements ZoneSource {
  constructor(
    private readonly db: Db,
    private readonly platform: PlatformDns,
  ) {}

  /** Reads in one snapshot, so a zone's serial and its records always belong together. */
  private snapshot<T>(read: (db: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel('repeatable read').execute(read);
  }

  private served(db: Db) {
    return db
      .selectFrom('domains')
      .distinctOn('name')
      .select(['id', 'name', 'serial'])
      .where('status', 'in', ['active', 'pending'])
      .orderBy('name')
      .orderBy(sql`status = 'active'`, 'desc')
      .orderBy('created_at')
      .orderBy('id');
  }

  async loadAll(): Promise<Zone[]> {
    const [domains, records] = await this.snapshot(async (db) => [
      await this.served(db).execute(),
      await db
        .selectFrom('dns_records')
        .select(['domain_id', 'name', 'type', 'content', 'ttl', 'priority'])
        .where('domain_id', 'in', this.served(db).clearSelect().select('id'))
        .orderBy('domain_id')
        .orderBy('name')
        .orderBy('type')
        .orderBy('created_at')
        .execute(),
    ]);
    const byDomain = new Map<string, StoredRecord[]>();
    for (const r of records) {
      const list = byDomain.get(r.domain_id) ?? [];
      list.push(r);
      byDomain.set(r.domain_id, list);
    }
    return domains.map((d) => buildZone(d, byDomain.get(d.id) ?? [], this.platform));
  }

  load(name: string): Promise<Zone | undefined> {
    return this.snapshot(async (db) => {
      const domain = await this.served(db).where('name', '=', name).executeTakeFirst();
      return domain ? this.zoneOf(db, domain) : undefined;
    });
  }

  /** The zone of one claim, served or not (for its zone-file export). */
  forDomain(domainId: string): Promise<Zone | undefined> {
    return this.snapshot(async (db) => {
      const domain = await db
        .selectFrom('domains')
        .select(['id', 'name', 'serial'])
        .where('id', '=', domainId)
        .executeTakeFirst();
      return domain ? this.zoneOf(db, domain) : undefined;
    });
  }

  private async zoneOf(
    db: Db,
    domain: { id: string; name: string; serial: number },
  ): Promise<Zone> {
    const records = await db
      .selectFrom('dns_records')
      .select(['name', 'type', 'content', 'ttl', 'priority'])
      .where('domain_id', '=', domain.id)
      .orderBy('name')
      .orderBy('type')
      .orderBy('created_at')
      .execute();
    return buildZone(domain, records, this.platform);
  }
}

import type { RecordType, ServedRecord, Zone } from '../zone.js';
import { canonicalName, isAtOrBelow, namesBelow, parentName } from './names.js';

export type SoaRecord = Extract<ServedRecord, { type: 'SOA' }>;

/** The RRsets at one owner name, by type. */
export type Node = ReadonlyMap<RecordType, readonly ServedRecord[]>;

/**
 * One zone indexed for answering: its RRsets by owner name and type, every name that exists
 * (empty non-terminals included, RFC 4592 §2.2.2), and its delegation points. Built once per
 * change, then only read, so a query costs a few map lookups per label.
 */
export class IndexedZone {
  /** The apex, canonical. */
  readonly name: string;
  readonly serial: number;
  readonly soa: SoaRecord;
  /** The records in transfer order: the SOA first, then the rest as the zone lists them. */
  readonly records: readonly ServedRecord[];
  private readonly nodes = new Map<string, Map<RecordType, ServedRecord[]>>();
  /** Owner names and every name between them and the apex (empty non-terminals). */
  private readonly existing = new Set<string>();
  /** Names below the apex holding NS records: the zone cuts. */
  private readonly cuts = new Set<string>();

  /** @throws Error when the zone has no SOA at its apex. */
  constructor(zone: Zone) {
    this.name = canonicalName(zone.name);
    this.serial = zone.serial;
    let soa: SoaRecord | undefined;
    const rest: ServedRecord[] = [];
    for (const record of zone.records) {
      const owner = canonicalName(record.name);
      // A record outside the zone could only be served by mistake, so it is left out.
      if (!isAtOrBelow(owner, this.name)) continue;
      if (record.type === 'SOA') {
        if (owner !== this.name || soa) continue;
        // The zone's serial is the one served, so the SOA and the zone can never disagree.
        soa = { ...record, name: owner, data: { ...record.data, serial: zone.serial } };
        this.add(soa);
        continue;
      }
      const stored = { ...record, name: owner } as ServedRecord;
      rest.push(stored);
      this.add(stored);
      if (record.type === 'NS' && owner !== this.name) this.cuts.add(owner);
    }
    if (!soa) throw new Error(`zone ${this.name} has no SOA record at its apex`);
    this.soa = soa;
    this.records = [soa, ...rest];
  }

  private add(record: ServedRecord): void {
    let node = this.nodes.get(record.name);
    if (!node) {
      node = new Map();
      this.nodes.set(record.name, node);
    }
    const rrset = node.get(record.type);
    if (rrset) rrset.push(record);
    else node.set(record.type, [record]);
    for (let n: string | undefined = record.name; n !== undefined; n = parentName(n)) {
      if (this.existing.has(n)) break;
      this.existing.add(n);
      if (n === this.name) break;
    }
  }

  /** The RRsets at `owner` (canonical), or undefined when nothing is stored there. */
  node(owner: string): Node | undefined {
    return this.nodes.get(owner);
  }

  /** The RRset of `type` at `owner` (canonical); empty when there is none. */
  rrset(owner: string, type: RecordType): readonly ServedRecord[] {
    return this.nodes.get(owner)?.get(type) ?? [];
  }

  /** Whether `name` exists in the zone: it owns records, or names below it do. */
  exists(name: string): boolean {
    return this.existing.has(name);
  }

  /**
   * The delegation point `name` falls under (at or above it, below the apex), or undefined
   * when the zone itself is authoritative for `name`. The highest cut wins: anything below
   * it, lower NS records included, belongs to the child zone.
   */
  delegationFor(name: string): string | undefined {
    if (this.cuts.size === 0) return undefined;
    return namesBelow(name, this.name).find((n) => this.cuts.has(n));
  }

  /** The longest existing ancestor of a name that does not exist (RFC 4592 §3.3.1). */
  closestEncloser(name: string): string {
    let n = parentName(name);
    while (n !== undefined && n !== this.name && !this.existing.has(n)) n = parentName(n);
    return n ?? this.name;
  }
}

/**
 * The server's in-memory copy of every zone it serves, by apex. Queries never reach the
 * database: the zones are replaced whole when they change.
 */
export class ZoneStore {
  private readonly zones = new Map<string, IndexedZone>();
  private changes = 0;

  /** Rises on every replace or remove, so anything derived from the zones knows when it is stale. */
  get version(): number {
    return this.changes;
  }

  /** Serves `zone` from now on, in place of any previous version. Throws if it has no SOA. */
  replace(zone: Zone): IndexedZone {
    const indexed = new IndexedZone(zone);
    this.zones.set(indexed.name, indexed);
    this.changes++;
    return indexed;
  }

  /** Stops serving the zone with apex `name`; false when it was not served. */
  remove(name: string): boolean {
    const removed = this.zones.delete(canonicalName(name));
    if (removed) this.changes++;
    return removed;
  }

  /** The zone whose apex is exactly `name`. */
  get(name: string): IndexedZone | undefined {
    return this.zones.get(canonicalName(name));
  }

  /** The zone with the longest apex that `qname` is at or below, if we serve one. */
  findZone(qname: string): IndexedZone | undefined {
    for (let n: string | undefined = canonicalName(qname); n; n = parentName(n)) {
      const zone = this.zones.get(n);
      if (zone) return zone;
    }
    return undefined;
  }

  /** The apex names of every served zone. */
  names(): string[] {
    return [...this.zones.keys()];
  }

  get size(): number {
    return this.zones.size;
  }
}

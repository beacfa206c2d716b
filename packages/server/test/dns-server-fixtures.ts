/** The zones the DNS server tests share, and a fake ZoneSource over an array. */
import type { ServedRecord, Zone, ZoneSource } from '../src/dns/zone.js';

/** A ZoneSource over an array the test edits; `load` and `loadAll` return copies, like a database would. */
export class FakeZoneSource implements ZoneSource {
  loads = 0;
  constructor(public zones: Zone[]) {}

  async loadAll(): Promise<Zone[]> {
    this.loads++;
    return structuredClone(this.zones);
  }

  async load(name: string): Promise<Zone | undefined> {
    this.loads++;
    const zone = this.zones.find((z) => z.name === name);
    return zone && structuredClone(zone);
  }

  /** Replaces (or adds) `zone`. */
  put(zone: Zone): void {
    this.zones = [...this.zones.filter((z) => z.name !== zone.name), zone];
  }
}

export const NEGATIVE_TTL = 300;

/** A zone with the platform's SOA and NS plus `records` (names relative, '@' for the apex). */
export function makeZone(
  name: string,
  serial: number,
  records: [string, ServedRecord['type'], unknown, number?][],
): Zone {
  const abs = (rel: string) => (rel === '@' ? name : `${rel}.${name}`);
  return {
    name,
    serial,
    records: [
      {
        name,
        type: 'SOA',
        ttl: 3600,
        data: {
          mname: 'ns1.swiftcloud.zm',
          rname: 'hostmaster.swiftcloud.zm',
          serial,
          refresh: 3600,
          retry: 600,
          expire: 1_209_600,
          minimum: NEGATIVE_TTL,
        },
      },
      { name, type: 'NS', ttl: 3600, data: 'ns1.swiftcloud.zm' },
      { name, type: 'NS', ttl: 3600, data: 'ns2.swiftcloud.zm' },
      ...records.map(
        ([rel, type, data, ttl]) =>
          ({ name: abs(rel), type, ttl: ttl ?? 300, data }) as ServedRecord,
      ),
    ],
  };
}

const longText = (n: number, ch: string) => ch.repeat(n);

/** The zone most tests query: every behaviour has a name here. */
export function exampleZone(serial = 2024010101): Zone {
  return makeZone('example.co.zm', serial, [
    ['@', 'A', '192.0.2.1'],
    ['@', 'MX', { preference: 10, exchange: 'mail.example.co.zm' }],
    ['@', 'CAA', { flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
    ['@', 'TXT', ['v=spf1 -all']],
    ['mail', 'A', '192.0.2.25'],
    ['www', 'CNAME', 'example.co.zm'],
    ['alias', 'CNAME', 'www.example.co.zm'],
    ['out', 'CNAME', 'target.elsewhere.net'],
    ['dangling', 'CNAME', 'nothing.example.co.zm'],
    ['v6', 'AAAA', '2001:db8::1'],
    ['txt', 'TXT', ['hello', 'world']],
    ['_sip._tcp', 'SRV', { priority: 10, weight: 5, port: 5060, target: 'sip.example.co.zm' }],
    ['sip', 'A', '192.0.2.60'],
    ['*.apps', 'A', '192.0.2.80'],
    ['*.apps', 'TXT', ['wild']],
    ['host.deep.apps', 'A', '192.0.2.81'],
    ['sub', 'NS', 'ns1.sub.example.co.zm', 3600],
    ['sub', 'NS', 'ns.elsewhere.net', 3600],
    ['ns1.sub', 'A', '192.0.2.53', 3600],
    // About 800 bytes: over 512, under 1232.
    ['medium', 'TXT', [longText(250, 'a'), longText(250, 'b'), longText(250, 'c')]],
    // About 2,600 bytes: over any UDP size we send.
    ...Array.from({ length: 10 }, (_, i): [string, ServedRecord['type'], unknown] => [
      'big',
      'TXT',
      [`${i}${longText(249, 'x')}`],
    ]),
  ]);
}

/**
 * The zones the DNS benchmark serves: `count` zones of exactly 20 records each, as Zone
 * objects (for SwiftCloud's server) and as RFC 1035 zone files (for Knot).
 */
import type { ServedRecord, Zone } from '../packages/server/src/dns/zone.js';

export function benchZoneName(i: number): string {
  return `z${i}.bench.zm`;
}

/** Zone `i` at `serial`; `variant` changes one address, for the change-to-served measurement. */
export function benchZone(i: number, serial = 1, variant = 0): Zone {
  const name = benchZoneName(i);
  const at = (rel: string) => (rel === '@' ? name : `${rel}.${name}`);
  const r = (rel: string, type: ServedRecord['type'], data: unknown, ttl = 3600) =>
    ({ name: at(rel), type, ttl, data }) as ServedRecord;
  const records: ServedRecord[] = [
    r('@', 'SOA', {
      mname: 'ns1.swiftcloud.zm',
      rname: 'hostmaster.swiftcloud.zm',
      serial,
      refresh: 3600,
      retry: 600,
      expire: 1_209_600,
      minimum: 300,
    }),
    r('@', 'NS', 'ns1.swiftcloud.zm'),
    r('@', 'NS', 'ns2.swiftcloud.zm'),
    r('@', 'A', `10.${(i >> 8) & 255}.${i & 255}.1`),
    r('@', 'MX', { preference: 10, exchange: at('mail') }),
    r('@', 'TXT', ['v=spf1 mx -all']),
    r('@', 'CAA', { flags: 0, tag: 'issue', value: 'letsencrypt.org' }),
    r('www', 'CNAME', name),
    r('mail', 'A', `10.${(i >> 8) & 255}.${i & 255}.${25 + variant}`),
    r('v6', 'AAAA', `2001:db8::${i.toString(16)}`),
    r('_sip._tcp', 'SRV', { priority: 10, weight: 5, port: 5060, target: at('mail') }),
    ...Array.from({ length: 9 }, (_, h) =>
      r(`h${h}`, 'A', `10.${(i >> 8) & 255}.${i & 255}.${100 + h}`),
    ),
  ];
  return { name, serial, records };
}

/** The zone as a zone file Knot loads: absolute names, one record a line. */
export function zoneFile(zone: Zone): string {
  const line = (rec: ServedRecord): string => {
    const head = `${rec.name}. ${rec.ttl} IN ${rec.type}`;
    switch (rec.type) {
      case 'SOA': {
        const d = rec.data;
        return `${head} ${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
      }
      case 'NS':
      case 'CNAME':
        return `${head} ${rec.data}.`;
      case 'A':
      case 'AAAA':
        return `${head} ${rec.data}`;
      case 'MX':
        return `${head} ${rec.data.preference} ${rec.data.exchange}.`;
      case 'TXT':
        return `${head} ${rec.data.map((s) => JSON.stringify(s)).join(' ')}`;
      case 'SRV':
        return `${head} ${rec.data.priority} ${rec.data.weight} ${rec.data.port} ${rec.data.target}.`;
      case 'CAA':
        return `${head} ${rec.data.flags} ${rec.data.tag} ${JSON.stringify(rec.data.value)}`;
    }
  };
  return zone.records.map(line).join('\n') + '\n';
}

/** dnsperf input: positive answers, a CNAME chase, MX with additional data, and NXDOMAIN. */
export function queryFile(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = benchZoneName(i);
    lines.push(
      `${name} A`,
      `www.${name} A`,
      `${name} MX`,
      `h${i % 9}.${name} A`,
      `nx${i}.${name} A`,
    );
  }
  return lines.join('\n') + '\n';
}

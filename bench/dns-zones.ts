/**
 * What the DNS benchmark puts in SwiftCloud and asks both servers: `bench-0001.co.zm` and
 * on, each with the same 20 records (A, AAAA, MX, TXT, CAA, CNAME, SRV) as the API takes
 * them, and the dnsperf query file over those zones.
 */
import type { CreateRecordBody } from '@swiftcloud/contracts';

export function benchZoneName(i: number): string {
  return `bench-${String(i).padStart(4, '0')}.co.zm`;
}

/** The third and fourth octets of zone `i`'s IPv4 addresses, 10.x.y.z. */
const net = (i: number) => `10.${(i >> 8) & 255}.${i & 255}`;

/** The address of `mail` in zone `i`; `variant` is the change number, 0 before any change. */
export function mailAddress(i: number, variant = 0): string {
  return `${net(i)}.${25 + variant}`;
}

/** Zone `i`'s 20 records, as POST /v1/domains/{id}/records takes them. */
export function benchRecords(i: number): CreateRecordBody[] {
  const zone = benchZoneName(i);
  const v6 = `2001:db8:${i.toString(16)}`;
  return [
    { name: '@', type: 'A', content: `${net(i)}.1` },
    { name: '@', type: 'AAAA', content: `${v6}::1` },
    { name: '@', type: 'MX', content: `mail.${zone}`, priority: 10 },
    { name: '@', type: 'MX', content: `mail2.${zone}`, priority: 20 },
    { name: '@', type: 'TXT', content: 'v=spf1 mx -all' },
    { name: '@', type: 'TXT', content: `site-verification=bench${i}` },
    { name: '@', type: 'CAA', content: '0 issue "letsencrypt.org"' },
    { name: 'www', type: 'CNAME', content: zone },
    { name: 'api', type: 'CNAME', content: `www.${zone}` },
    { name: 'mail', type: 'A', content: mailAddress(i) },
    { name: 'mail', type: 'AAAA', content: `${v6}::25` },
    { name: 'mail2', type: 'A', content: `${net(i)}.26` },
    { name: '_sip._tcp', type: 'SRV', content: `5 5060 mail.${zone}`, priority: 10 },
    { name: '_dmarc', type: 'TXT', content: 'v=DMARC1; p=none' },
    ...Array.from({ length: 6 }, (_, h) => ({
      name: `h${h}`,
      type: 'A' as const,
      content: `${net(i)}.${100 + h}`,
    })),
  ];
}

/** Zone `i`'s dnsperf queries, `name type`. */
function zoneQueries(i: number): string[] {
  const zone = benchZoneName(i);
  return [
    `${zone} A`,
    `www.${zone} A`,
    `api.${zone} AAAA`,
    `${zone} MX`,
    `${zone} TXT`,
    `_sip._tcp.${zone} SRV`,
    `mail.${zone} AAAA`,
    `h${i % 6}.${zone} A`,
    `h${i % 6}.${zone} AAAA`,
    `nx${i}.${zone} A`,
  ];
}

/**
 * dnsperf input, 10 queries a zone: positive answers, CNAME chains, MX (with additional
 * data), SRV, TXT, a NODATA and an NXDOMAIN.
 */
export function queryFile(count: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(...zoneQueries(i));
  return lines.join('\n') + '\n';
}

/**
 * The queries whose answers both servers must agree on: dnsperf's, and what its mix
 * leaves out (the SOA and its serial, the apex NS, CAA, the other TXT and addresses).
 */
export function comparedQueries(count: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const zone = benchZoneName(i);
    lines.push(
      ...zoneQueries(i),
      `${zone} SOA`,
      `${zone} NS`,
      `${zone} CAA`,
      `_dmarc.${zone} TXT`,
      `mail2.${zone} A`,
    );
  }
  return lines;
}

import type { ServedRecord, Zone } from './zone.js';

/** A name as a zone file writes it: absolute, with the trailing dot. */
const fqdn = (name: string) => `${name}.`;

/** A character-string of RFC 1035 5.1: quoted, `"` and `\` escaped, other bytes as \DDD. */
export function quoteString(value: string): string {
  let out = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function owner(name: string, zone: string): string {
  return name === zone ? '@' : name.slice(0, -(zone.length + 1));
}

function rdata(r: ServedRecord): string {
  switch (r.type) {
    case 'SOA': {
      const s = r.data;
      return `${fqdn(s.mname)} ${fqdn(s.rname)} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
    case 'NS':
    case 'CNAME':
      return fqdn(r.data);
    case 'A':
    case 'AAAA':
      return r.data;
    case 'MX':
      return `${r.data.preference} ${fqdn(r.data.exchange)}`;
    case 'SRV':
      return `${r.data.priority} ${r.data.weight} ${r.data.port} ${fqdn(r.data.target)}`;
    case 'CAA':
      return `${r.data.flags} ${r.data.tag} ${quoteString(r.data.value)}`;
    case 'TXT':
      return r.data.map(quoteString).join(' ');
  }
}

/**
 * The zone as an RFC 1035 master file: $ORIGIN, then the SOA, the apex NS and every
 * record, owners relative to the origin. Knot, NSD and BIND load it as it is.
 */
export function renderZoneFile(zone: Zone): string {
  const lines = [
    `; ${zone.name}, serial ${zone.serial}, exported by SwiftCloud`,
    `$ORIGIN ${fqdn(zone.name)}`,
    ...zone.records.map((r) =>
      [owner(r.name, zone.name), String(r.ttl), 'IN', r.type, rdata(r)].join('\t'),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

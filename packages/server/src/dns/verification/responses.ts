import type { Answer, RecordType, StringAnswer } from 'dns-packet';
import type { Endpoint } from '../../config.js';
import type { DnsResponse } from './dns-client.js';

/** A server of a zone: its NS name (none for the configured roots) and the addresses known for it. */
export interface ZoneServer {
  name: string | undefined;
  addresses: Endpoint[];
}

/** What one server of the parent zone says about the domain. */
export type ParentAnswer =
  /** A referral (or, when the parent also serves the child, an authoritative answer) naming these NS. */
  | { kind: 'delegated'; nameservers: string[] }
  /** NXDOMAIN, or the name exists in the parent zone without a zone cut (NOERROR, no NS). */
  | { kind: 'not-delegated'; rcode: 'NXDOMAIN' | 'NOERROR' }
  /** No usable answer: timeout, REFUSED, SERVFAIL, a lame or bogus referral. */
  | { kind: 'error'; message: string };

/** How one response reads, for a question asked of a server of `zone`. */
export type Step =
  | { kind: 'referral'; cut: string; servers: ZoneServer[] }
  | { kind: 'answer'; records: StringAnswer[] }
  | { kind: 'nxdomain' }
  | { kind: 'nodata' }
  | { kind: 'error'; message: string };

/**
 * How a response reads, for `qname`/`qtype` asked of a server of `zone`: an answer, a denial,
 * a referral strictly below `zone` towards `qname` (with the glue it may carry), or an error.
 */
export function readResponse(
  response: DnsResponse,
  zone: string,
  qname: string,
  qtype: RecordType,
  gluePort: number,
): Step {
  if (response.rcode === 'NXDOMAIN') return { kind: 'nxdomain' };
  if (response.rcode !== 'NOERROR') return { kind: 'error', message: `answered ${response.rcode}` };
  const records = (response.answers ?? []).filter(
    (r): r is StringAnswer =>
      isNameRecord(r) &&
      normalizeName(r.name) === qname &&
      (r.type === qtype || r.type === 'CNAME'),
  );
  if (records.length > 0) return { kind: 'answer', records };
  const byOwner = new Map<string, string[]>();
  for (const record of response.authorities ?? []) {
    if (record.type !== 'NS') continue;
    const owner = normalizeName(record.name);
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), normalizeName(record.data)]);
  }
  // A referral must lead strictly below the zone asked, towards qname; anything else is lame.
  const cut = [...byOwner.keys()].find(
    (owner) => owner !== zone && isWithin(owner, zone) && isWithin(qname, owner),
  );
  if (cut !== undefined) {
    const names = [...new Set(byOwner.get(cut))];
    return {
      kind: 'referral',
      cut,
      servers: names.map((ns) => withGlue(ns, response, zone, gluePort)),
    };
  }
  if (byOwner.size > 0) {
    return {
      kind: 'error',
      message: `lame: referral to ${[...byOwner.keys()].map((o) => o || '.').join(', ')}`,
    };
  }
  if (response.flag_aa) return { kind: 'nodata' };
  return { kind: 'error', message: 'lame: neither an authoritative answer nor a referral' };
}

/** Glue is taken only from within the answering server's zone, so no server can vouch for others. */
function withGlue(ns: string, response: DnsResponse, zone: string, gluePort: number): ZoneServer {
  if (!isWithin(ns, zone)) return { name: ns, addresses: [] };
  const glue = (response.additionals ?? []).filter(
    (r): r is StringAnswer => (r.type === 'A' || r.type === 'AAAA') && normalizeName(r.name) === ns,
  );
  // IPv4 first: many hosts have no IPv6 route out.
  glue.sort((a, b) => Number(a.type === 'AAAA') - Number(b.type === 'AAAA'));
  return {
    name: ns,
    addresses: glue.map((r) => ({ host: r.data, port: gluePort })),
  };
}

/** What a parent server's response (read by readResponse) says about `domain`'s delegation. */
export function parentAnswer(step: Step, domain: string): ParentAnswer {
  switch (step.kind) {
    case 'referral':
      return step.cut === domain
        ? { kind: 'delegated', nameservers: step.servers.map((s) => s.name!).sort() }
        : { kind: 'error', message: `referred to ${step.cut} instead of answering for ${domain}` };
    case 'answer': {
      const ns = step.records.filter((r) => r.type === 'NS');
      // A CNAME at the name means it cannot be a zone apex.
      if (ns.length === 0) return { kind: 'not-delegated', rcode: 'NOERROR' };
      return {
        kind: 'delegated',
        nameservers: [...new Set(ns.map((r) => normalizeName(r.data)))].sort(),
      };
    }
    case 'nxdomain':
      return { kind: 'not-delegated', rcode: 'NXDOMAIN' };
    case 'nodata':
      return { kind: 'not-delegated', rcode: 'NOERROR' };
    case 'error':
      return { kind: 'error', message: step.message };
  }
}

/** Records whose data is a name or an address. */
function isNameRecord(record: Answer): record is StringAnswer {
  return ['NS', 'CNAME', 'A', 'AAAA'].includes(record.type);
}

/** Lowercase, without the trailing dot; the root is ''. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

function isWithin(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}

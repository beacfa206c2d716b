import type { Answer, RecordType as PacketRecordType } from 'dns-packet';
import type { RecordType, ServedRecord } from '../zone.js';
import { canonicalName, isAtOrBelow } from './names.js';
import type { IndexedZone, Node } from './zone-store.js';

/** What the zone says about one question, before it becomes a packet. */
export interface Resolution {
  rcode: 'NOERROR' | 'NXDOMAIN';
  /** False only for a referral: the child zone's servers hold the answer. */
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

// A chain longer than this within one zone is a loop or a misconfiguration; stop following.
const MAX_CNAME_CHAIN = 8;

// RFC 8482 §4.1: answer ANY with one RRset; prefer the ones a client most likely wants.
const ANY_PREFERENCE: RecordType[] = ['CNAME', 'A', 'AAAA', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'SOA'];

/** The record as a dns-packet answer, owned by `owner` (the question's spelling when it is the qname). */
export function toAnswer(record: ServedRecord, owner: string = record.name): Answer {
  return {
    name: owner,
    type: record.type,
    class: 'IN',
    ttl: record.ttl,
    data: record.data,
  } as Answer;
}

/**
 * Answers `qname`/`qtype` from `zone`, which must be the zone that `qname` belongs to.
 * Follows CNAMEs within the zone, synthesises from wildcards (RFC 4592), refers to the
 * child's servers below a zone cut, and gives NXDOMAIN or NODATA with the SOA otherwise.
 * `qname` keeps the question's case: answers owned by it are spelled as it was asked.
 */
export function resolve(
  zone: IndexedZone,
  qname: string,
  qtype: PacketRecordType | 'ANY',
): Resolution {
  const answers: Answer[] = [];
  const seen = new Set<string>();
  let name = qname;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const key = canonicalName(name);
    seen.add(key);

    const cut = zone.delegationFor(key);
    // The parent answers DS at the cut itself (RFC 4035 §3.1.4.1); we hold none, so NODATA.
    if (cut !== undefined && !(cut === key && qtype === 'DS')) {
      const referral = referralTo(zone, cut);
      // Reached through a CNAME, the data so far is ours and authoritative; the rest is the child's.
      return answers.length === 0 ? referral : { ...referral, authoritative: true, answers };
    }

    let node: Node | undefined = zone.node(key);
    if (!zone.exists(key)) {
      // RFC 4592 §3.3.1: only the wildcard child of the closest encloser can match, so an
      // empty non-terminal between the qname and a higher wildcard blocks that wildcard.
      node = zone.node(`*.${zone.closestEncloser(key)}`);
      if (!node) return negative(zone, 'NXDOMAIN', answers);
    }
    if (!node) return negative(zone, 'NOERROR', answers); // an empty non-terminal

    const rrset = qtype === 'ANY' ? pickAny(node) : node.get(qtype as RecordType);
    if (rrset && rrset.length > 0) {
      answers.push(...rrset.map((r) => toAnswer(r, name)));
      return positive(zone, answers);
    }
    const cname = node.get('CNAME')?.[0];
    if (!cname || cname.type !== 'CNAME') return negative(zone, 'NOERROR', answers);
    answers.push(toAnswer(cname, name));
    const target = cname.data;
    const targetKey = canonicalName(target);
    // Outside the zone (or looping), the resolver follows the rest of the chain itself.
    if (!isAtOrBelow(targetKey, zone.name) || seen.has(targetKey)) return positive(zone, answers);
    name = target;
  }
  return positive(zone, answers);
}

function pickAny(node: Node): readonly ServedRecord[] | undefined {
  for (const type of ANY_PREFERENCE) {
    const rrset = node.get(type);
    if (rrset && rrset.length > 0) return rrset;
  }
  return undefined;
}

function positive(zone: IndexedZone, answers: Answer[]): Resolution {
  return {
    rcode: 'NOERROR',
    authoritative: true,
    answers,
    authorities: [],
    additionals: addressesFor(zone, answers),
  };
}

/** NXDOMAIN or NODATA: the SOA in the authority section for negative caching (RFC 2308 §3). */
function negative(zone: IndexedZone, rcode: Resolution['rcode'], answers: Answer[]): Resolution {
  const soa = zone.soa;
  const ttl = Math.min(soa.ttl, soa.data.minimum);
  return {
    rcode,
    authoritative: true,
    answers,
    authorities: [toAnswer({ ...soa, ttl })],
    additionals: [],
  };
}

/** A referral (RFC 1034 §4.3.2): the child's NS in authority, their in-zone addresses as glue. */
function referralTo(zone: IndexedZone, cut: string): Resolution {
  const ns = zone.rrset(cut, 'NS');
  const glue: Answer[] = [];
  for (const record of ns) {
    const target = canonicalName(record.data as string);
    // Glue from the zone only: addresses below the cut are not served otherwise, so they must come here.
    if (!isAtOrBelow(target, zone.name)) continue;
    for (const type of ['A', 'AAAA'] as const)
      glue.push(...zone.rrset(target, type).map((r) => toAnswer(r)));
  }
  return {
    rcode: 'NOERROR',
    authoritative: false,
    answers: [],
    authorities: ns.map((r) => toAnswer(r)),
    additionals: glue,
  };
}

/** Addresses of in-zone NS, MX and SRV targets, which save the resolver a round trip. */
function addressesFor(zone: IndexedZone, answers: Answer[]): Answer[] {
  const extra: Answer[] = [];
  const added = new Set<string>();
  for (const a of answers) {
    let target: string | undefined;
    if (a.type === 'NS') target = a.data;
    else if (a.type === 'MX') target = a.data.exchange;
    else if (a.type === 'SRV') target = a.data.target;
    if (target === undefined) continue;
    const key = canonicalName(target);
    if (added.has(key) || !isAtOrBelow(key, zone.name) || zone.delegationFor(key) !== undefined)
      continue;
    added.add(key);
    for (const type of ['A', 'AAAA'] as const)
      extra.push(...zone.rrset(key, type).map((r) => toAnswer(r)));
  }
  return extra;
}

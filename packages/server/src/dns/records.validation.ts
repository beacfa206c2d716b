import {
  DNS_PRIORITY,
  DNS_TTL,
  MAX_RECORDS_PER_ZONE,
  type CustomerRecordType,
} from '@swiftcloud/contracts';
import { Conflict } from '../platform/errors.js';
import { toAscii, wireLength } from './domain-name.js';
import { APEX, normaliseContent, refuse } from './records.content.js';

/**
 * The rules a DNS record must meet to enter a zone. Each refusal is a ValidationFailed
 * naming the request field and the rule, except an exact duplicate and a full zone, which
 * are CONFLICT: the record is fine, the zone's state does not allow it.
 */

/** A record as sent (the create body, or a stored record with a PATCH applied). */
export interface RecordFields {
  name: string;
  type: CustomerRecordType;
  content: string;
  ttl?: number | undefined;
  priority?: number | null | undefined;
}

/** A record after the rules of its own fields: name relative and normalised, content normalised. */
export interface ValidRecord {
  name: string;
  type: CustomerRecordType;
  content: string;
  ttl: number | undefined;
  priority: number | null;
}

/** A record already in the zone at the same name (the one being changed left out). */
export interface ZoneRecord {
  type: CustomerRecordType;
  content: string;
  ttl: number;
}

const OWNER_LABEL = /^[a-z0-9_-]+$/;
const SRV_SERVICE = /^_[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const SRV_PROTOCOLS = ['_tcp', '_udp', '_tls', '_sctp'];

/** The absolute name of a relative one (`www` in `example.co.zm` is `www.example.co.zm`). */
export function absoluteName(relative: string, zone: string): string {
  return relative === APEX ? zone : `${relative}.${zone}`;
}

/**
 * A record name as the customer wrote it, relative to the zone and normalised: `@` for the
 * apex, lowercase, punycode. A name with a trailing dot is fully qualified and must lie in
 * the zone. Labels of 1–63 octets (letters, digits, `-`, `_`), at most 255 octets in all,
 * and `*` only as the whole leftmost label.
 */
export function normaliseRecordName(input: string, zone: string): string {
  const given = input.trim();
  if (given === APEX || given === `${zone}.`) return APEX;
  let relative: string;
  if (given.endsWith('.')) {
    const absolute = toAscii(given);
    if (absolute === null) throw refuse('name', `${given} is not a valid internationalised name`);
    if (absolute === zone) return APEX;
    if (!absolute.endsWith(`.${zone}`)) {
      throw refuse(
        'name',
        `${given} is outside the domain ${zone}: use a name relative to it (www), or a fully qualified one ending in .${zone}.`,
      );
    }
    relative = absolute.slice(0, -(zone.length + 1));
  } else {
    const ascii = toAscii(given);
    if (ascii === null) throw refuse('name', `${given} is not a valid internationalised name`);
    if (ascii === zone || ascii.endsWith(`.${zone}`)) {
      // Read as relative this would be www.example.co.zm.example.co.zm, never what is meant.
      throw refuse(
        'name',
        `${given} ends with the domain name: write it relative (www, or @ for ${zone}) or fully qualified with a trailing dot (${ascii}.)`,
      );
    }
    relative = ascii;
  }
  const labels = relative.split('.');
  labels.forEach((label, i) => {
    if (label.length === 0) throw refuse('name', `${given} has an empty label (..)`);
    if (label.length > 63) throw refuse('name', `Each label of name must be 1–63 characters`);
    if (label.includes('*')) {
      if (label !== '*' || i !== 0) {
        throw refuse('name', 'A wildcard * must be the whole leftmost label, as in *.dev');
      }
    } else if (!OWNER_LABEL.test(label)) {
      throw refuse('name', `Label ${label} of name may hold only letters, digits, - and _`);
    }
  });
  if (wireLength(absoluteName(relative, zone)) > 255) {
    throw refuse(
      'name',
      'name must be at most 255 octets on the wire (253 characters) as a fully qualified name',
    );
  }
  return relative;
}

function checkName(type: CustomerRecordType, name: string): void {
  if (name === APEX && type === 'NS') {
    throw refuse(
      'name',
      "The apex NS records are the platform's and cannot be added or changed; NS records delegate a subdomain, such as dev",
    );
  }
  if (name === APEX && type === 'CNAME') {
    throw refuse(
      'name',
      'A CNAME cannot be at the apex (@), which holds the SOA and NS; use A/AAAA records there',
    );
  }
  if (type === 'NS' && name.startsWith('*')) {
    throw refuse('name', 'An NS record delegates a named subdomain; it cannot be a wildcard');
  }
  if (type === 'SRV') {
    const [service, proto] = name.split('.');
    if (!service || !SRV_SERVICE.test(service) || !proto || !SRV_PROTOCOLS.includes(proto)) {
      throw refuse(
        'name',
        'An SRV name must be _service._proto[.name], such as _sip._tcp, with proto _tcp, _udp, _tls or _sctp',
      );
    }
  }
}

function checkPriority(
  type: CustomerRecordType,
  priority: number | null | undefined,
): number | null {
  const needs = type === 'MX' || type === 'SRV';
  if (needs) {
    if (priority === null || priority === undefined) {
      throw refuse('priority', `priority is required for ${type} records (0–65535)`);
    }
  } else if (priority !== null && priority !== undefined) {
    throw refuse('priority', `priority is only for MX and SRV records; send null for ${type}`);
  }
  if (priority === null || priority === undefined) return null;
  if (!Number.isInteger(priority) || priority < DNS_PRIORITY.min || priority > DNS_PRIORITY.max) {
    throw refuse('priority', 'priority must be a whole number from 0 to 65535');
  }
  return priority;
}

function checkTtl(ttl: number | undefined): void {
  if (ttl === undefined) return;
  if (!Number.isInteger(ttl) || ttl < DNS_TTL.min || ttl > DNS_TTL.max) {
    throw refuse(
      'ttl',
      `ttl must be a whole number of seconds from ${DNS_TTL.min} to ${DNS_TTL.max}`,
    );
  }
}

/** The rules of one record on its own: name, content, priority and TTL. */
export function validateRecord(fields: RecordFields, zone: string): ValidRecord {
  const name = normaliseRecordName(fields.name, zone);
  checkName(fields.type, name);
  const content = normaliseContent(fields.type, fields.content, zone);
  const priority = checkPriority(fields.type, fields.priority);
  checkTtl(fields.ttl);
  return { name, type: fields.type, content, ttl: fields.ttl, priority };
}

/**
 * The rules of a record among the others at its name: a CNAME stands alone; an exact
 * duplicate is a CONFLICT; one TTL per name and type. Answers the record's TTL: the one
 * sent, or when none was, its RRset's or the default. With `ttlSetsRRset` the TTL sent is
 * meant for the whole RRset (the caller changes the siblings too) and is not refused.
 */
export function placeInZone(
  record: ValidRecord,
  zone: string,
  atName: ZoneRecord[],
  opts: { ttlSetsRRset: boolean } = { ttlSetsRRset: false },
): number {
  const shown = absoluteName(record.name, zone);
  if (record.type === 'CNAME' && atName.length > 0) {
    const types = [...new Set(atName.map((r) => r.type))].join(', ');
    throw refuse(
      'type',
      `A CNAME must be alone at its name, and ${shown} already has ${types} records`,
    );
  }
  if (record.type !== 'CNAME' && atName.some((r) => r.type === 'CNAME')) {
    throw refuse(
      'type',
      `${shown} has a CNAME record, which must be alone at its name; delete it first`,
    );
  }
  const siblings = atName.filter((r) => r.type === record.type);
  if (siblings.some((r) => r.content === record.content)) {
    throw new Conflict(`The zone already has this ${record.type} record at ${shown}`, [
      { field: 'content', message: 'An identical record exists' },
    ]);
  }
  const rrsetTtl = siblings[0]?.ttl;
  if (record.ttl === undefined) return rrsetTtl ?? DNS_TTL.default;
  if (rrsetTtl !== undefined && rrsetTtl !== record.ttl && !opts.ttlSetsRRset) {
    throw refuse(
      'ttl',
      `The other ${record.type} records at ${shown} have ttl ${rrsetTtl}; all records of one name and type share one TTL, so send ttl ${rrsetTtl} (or change theirs)`,
    );
  }
  return record.ttl;
}

/** At most MAX_RECORDS_PER_ZONE records per zone. */
export function checkZoneSize(recordsInZone: number, zone: string): void {
  if (recordsInZone >= MAX_RECORDS_PER_ZONE) {
    throw new Conflict(
      `${zone} holds ${recordsInZone} records, the most one zone may hold; delete some first`,
      [{ field: 'id', message: `At most ${MAX_RECORDS_PER_ZONE} records per zone` }],
    );
  }
}

import { isIP } from 'node:net';
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type Packet,
  type SoaAnswer,
} from 'dns-packet';
import type { Endpoint } from '../../config.js';
import { replyTo } from './answer.js';
import { toAnswer } from './lookup.js';
import { canonicalName } from './names.js';
import type { IndexedZone, ZoneStore } from './zone-store.js';

/** Room left in each transfer message, well under the 64 KiB a TCP frame can carry. */
export const TRANSFER_MESSAGE_BUDGET = 60_000;

/** Whether `query` asks for a zone transfer (AXFR, or IXFR which we answer in full). */
export function isTransferQuery(query: DecodedPacket): boolean {
  const type = query.questions?.[0]?.type;
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  return query.type === 'query' && opcode === 0 && (type === 'AXFR' || type === 'IXFR');
}

/** `address` without the IPv4-mapped IPv6 prefix Node gives dual-stack sockets. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}

/**
 * Whether a client at `address` may transfer zones: it is one of the configured secondaries.
 * Only the address counts; a secondary's transfers come from any source port.
 */
export function isSecondary(address: string, secondaries: readonly Endpoint[]): boolean {
  if (!isIP(plainAddress(address))) return false;
  return secondaries.some((s) => plainAddress(s.host) === plainAddress(address));
}

/** RFC 1982 serial number arithmetic: whether `a` is at or after `b`. */
export function serialAtOrAfter(a: number, b: number): boolean {
  const diff = (a - b) >>> 0;
  return diff === 0 || (diff > 0 && diff < 0x80000000);
}

/**
 * The messages that answer a transfer query from a client allowed to transfer (RFC 5936):
 * the SOA, every other record, and the SOA again, packed into messages of at most
 * `budget` bytes, the question in the first only. An IXFR from a client that already holds
 * our serial gets just the SOA (RFC 1995 §2); any other IXFR gets the whole zone in AXFR
 * form (RFC 1995 §4), which every secondary accepts. A zone we do not serve is NOTAUTH.
 */
export function* transferMessages(
  query: DecodedPacket,
  store: ZoneStore,
  budget = TRANSFER_MESSAGE_BUDGET,
): Generator<Packet> {
  const question = query.questions?.[0];
  if (query.questions?.length !== 1 || !question) {
    yield replyTo(query, 'FORMERR');
    return;
  }
  const zone = store.get(question.name);
  if (!zone || canonicalName(question.name) !== zone.name) {
    yield replyTo(query, 'NOTAUTH');
    return;
  }
  const soa = toAnswer(zone.soa, question.name);
  if (question.type === 'IXFR' && clientIsCurrent(query, zone)) {
    yield { ...replyTo(query, 'NOERROR', true), answers: [soa] };
    return;
  }

  let message = first(query);
  let size = dnsPacket.encodingLength(message);
  const records: Answer[] = [soa, ...zone.records.slice(1).map((r) => toAnswer(r)), soa];
  for (const record of records) {
    const length = recordLength(record);
    if (size + length > budget && message.answers!.length > 0) {
      yield message;
      message = { ...first(query), questions: [] };
      size = dnsPacket.encodingLength(message);
    }
    message.answers!.push(record);
    size += length;
  }
  yield message;
}

function first(query: DecodedPacket): Packet {
  return { ...replyTo(query, 'NOERROR', true), answers: [] };
}

function recordLength(record: Answer): number {
  return dnsPacket.encodingLength({ answers: [record] }) - 12;
}

/** Whether the SOA an IXFR query carries (RFC 1995 §3) is at or after our serial. */
function clientIsCurrent(query: DecodedPacket, zone: IndexedZone): boolean {
  const theirs = (query.authorities ?? []).find((a): a is SoaAnswer => a.type === 'SOA');
  const serial = theirs?.data.serial;
  return serial !== undefined && serialAtOrAfter(serial, zone.serial);
}

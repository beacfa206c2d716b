import dnsPacket, { type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet';
import { resolve } from './lookup.js';
import type { ZoneStore } from './zone-store.js';

/** The UDP payload size we advertise and never exceed: the DNS Flag Day 2020 value, safe from fragmentation. */
export const SERVER_UDP_PAYLOAD = 1232;
/** What a client without EDNS0 can receive over UDP (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_PAYLOAD = 512;
const MAX_TCP_MESSAGE = 65_535;

const OPCODE_QUERY = 0;
/** Extended RCODE 16 (RFC 6891 §6.1.3): the upper 8 bits go in the OPT record. */
const BADVERS = 16;

const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  NOTAUTH: 9,
};
export type Rcode = keyof typeof RCODE;

export type Transport = 'udp' | 'tcp';

/** The parts of a query a reply is built from. */
export type QueryHeader = Pick<Packet, 'id' | 'flags' | 'questions' | 'additionals'>;

/** The OPT record of a query, when it has exactly one (RFC 6891 §6.1.1). */
export function queryOpt(query: QueryHeader): OptAnswer | undefined | 'malformed' {
  const opts = (query.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  if (opts.length === 0) return undefined;
  const opt = opts[0];
  return opts.length === 1 && opt && opt.name === '.' ? opt : 'malformed';
}

function opcodeOf(query: QueryHeader): number {
  return ((query.flags ?? 0) >> 11) & 0xf;
}

/**
 * The header and question of a reply to `query`, with `rcode` and no data: the start of
 * every response. The opcode and RD bit are copied (RFC 1035 §4.1.1); an OPT is added when
 * the client sent one (RFC 6891 §7), carrying the extended part of `rcode`.
 */
export function replyTo(query: QueryHeader, rcode: Rcode | typeof BADVERS, aa = false): Packet {
  const code = typeof rcode === 'number' ? rcode : RCODE[rcode];
  const flags =
    (opcodeOf(query) << 11) |
    (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    (code & 0xf);
  const opt = queryOpt(query);
  const question = query.questions?.[0];
  return {
    id: query.id ?? 0,
    type: 'response',
    flags,
    // A question of a class dns-packet cannot encode would be echoed wrongly, so it is left out.
    questions:
      question && !question.class?.startsWith('UNKNOWN') && query.questions?.length === 1
        ? [question]
        : [],
    answers: [],
    authorities: [],
    additionals: typeof opt === 'object' ? [serverOpt(opt, code >> 4)] : [],
  };
}

function serverOpt(clientOpt: OptAnswer, extendedRcode: number): OptAnswer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: SERVER_UDP_PAYLOAD,
    extendedRcode,
    ednsVersion: 0,
    // We do not sign, but echoing DO tells the client we understood it (RFC 3225 §3).
    flags: clientOpt.flags & dnsPacket.DNSSEC_OK,
    flag_do: clientOpt.flag_do,
    options: [],
  };
}

/**
 * The response to one decoded query, from the zones in `store`, or undefined when it must be
 * dropped (it is itself a response: answering could start a loop). Transfers (AXFR, IXFR)
 * are the server's to stream; here they are refused, as over UDP.
 */
export function answer(query: DecodedPacket, store: ZoneStore): Packet | undefined {
  if (query.type === 'response') return undefined;
  const opt = queryOpt(query);
  if (opt === 'malformed' || query.questions?.length !== 1) return replyTo(query, 'FORMERR');
  if (opt && opt.ednsVersion > 0) return replyTo(query, BADVERS);
  if (opcodeOf(query) !== OPCODE_QUERY) return replyTo(query, 'NOTIMP');

  const question = query.questions[0]!;
  if (question.class !== 'IN') return replyTo(query, 'REFUSED');
  const zone = store.findZone(question.name);
  if (!zone) return replyTo(query, 'REFUSED');
  if (question.type === 'AXFR' || question.type === 'IXFR') return replyTo(query, 'REFUSED');

  const found = resolve(zone, question.name, question.type);
  const response = replyTo(query, found.rcode, found.authoritative);
  response.answers = found.answers;
  response.authorities = found.authorities;
  response.additionals = [...found.additionals, ...(response.additionals ?? [])];
  return response;
}

/** The most a response to `query` may take over `transport`: the client's EDNS0 size, 512 to 1232. */
export function maxResponseSize(query: QueryHeader | undefined, transport: Transport): number {
  if (transport === 'tcp') return MAX_TCP_MESSAGE;
  const opt = query ? queryOpt(query) : undefined;
  if (typeof opt !== 'object') return CLASSIC_UDP_PAYLOAD;
  return Math.min(SERVER_UDP_PAYLOAD, Math.max(CLASSIC_UDP_PAYLOAD, opt.udpPayloadSize));
}

/**
 * Encodes `response` in at most `maxSize` bytes. Optional additional data (addresses of MX
 * or NS targets) goes first; if the rest still does not fit, the reply is the header and
 * question with TC set, so the client retries over TCP (RFC 2181 §9). A referral's glue is
 * not optional (RFC 9471), so a referral that does not fit is truncated whole.
 */
export function encodeResponse(response: Packet, maxSize: number): Buffer {
  const full = dnsPacket.encode(response);
  if (full.length <= maxSize) return full;
  const opt = (response.additionals ?? []).filter((a) => a.type === 'OPT');
  const aa = ((response.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER) !== 0;
  if (aa) {
    const lean = dnsPacket.encode({ ...response, additionals: opt });
    if (lean.length <= maxSize) return lean;
  }
  return dnsPacket.encode({
    ...response,
    flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
    authorities: [],
    additionals: opt,
  });
}

/**
 * Whether the header's section counts could fit in the message (a question takes at least 5
 * bytes, a record 11). dns-packet allocates an array per count before reading anything, so a
 * 12-byte packet claiming 65,535 of each would cost megabytes; checking first keeps garbage
 * as cheap to refuse as a real query is to answer.
 */
function countsFit(message: Buffer): boolean {
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((offset) => message.readUInt16BE(offset)) as [
    number,
    number,
    number,
    number,
  ];
  return qd * 5 + (an + ns + ar) * 11 <= message.length - 12;
}

/**
 * Decodes `message`, or explains why it cannot: `undefined` to drop it silently (too short to
 * hold a header, or a response), or a FORMERR reply with the id when the header is readable.
 */
export function decodeQuery(
  message: Buffer,
): { query: DecodedPacket } | { reply: Packet } | undefined {
  if (message.length < 12 || (message[2]! & 0x80) !== 0) return undefined;
  try {
    if (countsFit(message)) return { query: dnsPacket.decode(message) };
  } catch {
    // Malformed: answered FORMERR below.
  }
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2) & ((0xf << 11) | dnsPacket.RECURSION_DESIRED);
  return { reply: replyTo({ id, flags, questions: [] }, 'FORMERR') };
}

/**
 * The whole exchange for one non-transfer message: bytes in, bytes out (or undefined to
 * drop). Never throws.
 */
export function respond(
  message: Buffer,
  store: ZoneStore,
  transport: Transport,
): Buffer | undefined {
  const decoded = decodeQuery(message);
  if (!decoded) return undefined;
  if ('reply' in decoded) return dnsPacket.encode(decoded.reply);
  return respondTo(decoded.query, store, transport);
}

/** The encoded response to a decoded query; a query that breaks the encoder gets SERVFAIL. */
export function respondTo(
  query: DecodedPacket,
  store: ZoneStore,
  transport: Transport,
): Buffer | undefined {
  try {
    const response = answer(query, store);
    return response && encodeResponse(response, maxResponseSize(query, transport));
  } catch {
    try {
      return dnsPacket.encode(replyTo(query, 'SERVFAIL'));
    } catch {
      return undefined;
    }
  }
}

import { randomBytes } from 'node:crypto';
import dnsPacket, { type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { query } from '../../../test/dns-server-client.js';
import { exampleZone } from '../../../test/dns-server-fixtures.js';
import { answer, decodeQuery, encodeResponse, maxResponseSize, respond } from './answer.js';
import { ZoneStore } from './zone-store.js';

const store = new ZoneStore();
store.replace(exampleZone());

/** The query as the server sees it: encoded, then decoded by dns-packet. */
const decoded = (packet: Packet) => dnsPacket.decode(dnsPacket.encode(packet));
const ask = (packet: Packet) => answer(decoded(packet), store)!;
const rcode = (packet: Packet) =>
  (dnsPacket.decode(dnsPacket.encode(packet)) as DecodedPacket & { rcode: string }).rcode;
const opt = (p: Packet) => p.additionals?.find((a): a is OptAnswer => a.type === 'OPT');

describe('answer', () => {
  it('sets QR and AA, copies id and RD, and never sets RA', () => {
    const r = ask(query('example.co.zm', 'A', { id: 77 }));
    expect(r.id).toBe(77);
    expect(r.type).toBe('response');
    expect(r.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy();
    expect(r.flags! & dnsPacket.RECURSION_DESIRED).toBeTruthy();
    expect(r.flags! & dnsPacket.RECURSION_AVAILABLE).toBe(0);
    const norec = ask(query('example.co.zm', 'A', { flags: 0 }));
    expect(norec.flags! & dnsPacket.RECURSION_DESIRED).toBe(0);
  });

  it('uses the smaller of the SOA TTL and SOA minimum as the negative TTL', () => {
    const low = exampleZone();
    low.name = 'low.zm';
    low.records = low.records
      .filter((r) => r.type === 'SOA')
      .map((r) => ({ ...r, name: 'low.zm', ttl: 60 }));
    const s = new ZoneStore();
    s.replace(low);
    const r = answer(decoded(query('nope.low.zm', 'A')), s)!;
    expect(r.authorities?.[0]).toEqual(expect.objectContaining({ type: 'SOA', ttl: 60 }));
    expect(ask(query('nope.example.co.zm', 'A')).authorities?.[0]).toEqual(
      expect.objectContaining({ ttl: 300 }),
    );
  });

  it('answers DS at a delegation point from the parent: NODATA, authoritative', () => {
    const r = ask(query('sub.example.co.zm', 'DS'));
    expect(rcode(r)).toBe('NOERROR');
    expect(r.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy();
    expect(r.authorities?.[0]?.type).toBe('SOA');
  });

  it('refers NS queries at the cut itself rather than answering them', () => {
    const r = ask(query('sub.example.co.zm', 'NS'));
    expect(r.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBe(0);
    expect(r.answers).toEqual([]);
    expect(r.authorities?.map((a) => a.type)).toEqual(['NS', 'NS']);
  });

  it('answers ANY with one RRset, the CNAME where there is one', () => {
    expect(ask(query('www.example.co.zm', 'ANY')).answers?.map((a) => a.type)).toEqual(['CNAME']);
    expect(ask(query('example.co.zm', 'ANY')).answers?.map((a) => a.type)).toEqual(['A']);
  });

  it('answers FORMERR to no question, two questions, or two OPT records', () => {
    expect(rcode(ask({ ...query('example.co.zm', 'A'), questions: [] }))).toBe('FORMERR');
    const two = query('example.co.zm', 'A');
    two.questions!.push(two.questions![0]!);
    expect(rcode(ask(two))).toBe('FORMERR');
    const twoOpts = query('example.co.zm', 'A', { edns: { udpPayloadSize: 1232 } });
    twoOpts.additionals!.push(twoOpts.additionals![0]!);
    expect(rcode(ask(twoOpts))).toBe('FORMERR');
  });

  it('answers NOTIMP to IQUERY, STATUS, NOTIFY and UPDATE', () => {
    for (const opcode of [1, 2, 4, 5])
      expect(rcode(ask(query('example.co.zm', 'SOA', { flags: opcode << 11 })))).toBe('NOTIMP');
  });

  it('answers BADVERS (extended RCODE 16) to EDNS version 1, with our OPT', () => {
    const r = ask(query('example.co.zm', 'A', { edns: { udpPayloadSize: 1232, version: 1 } }));
    expect(r.flags! & 0xf).toBe(0);
    expect(opt(r)).toEqual(
      expect.objectContaining({ extendedRcode: 1, ednsVersion: 0, udpPayloadSize: 1232 }),
    );
  });

  it('echoes the DO bit in its OPT', () => {
    const q = query('example.co.zm', 'A', { edns: { udpPayloadSize: 1232 } });
    (q.additionals![0] as OptAnswer).flags = dnsPacket.DNSSEC_OK;
    expect(opt(ask(q))?.flags).toBe(dnsPacket.DNSSEC_OK);
  });

  it('refuses transfers and other classes here', () => {
    expect(rcode(ask(query('example.co.zm', 'AXFR')))).toBe('REFUSED');
    expect(rcode(ask(query('example.co.zm', 'IXFR')))).toBe('REFUSED');
    expect(rcode(ask(query('example.co.zm', 'A', { cls: 'HS' })))).toBe('REFUSED');
  });

  it('drops responses', () => {
    expect(
      answer(decoded({ ...query('example.co.zm', 'A'), type: 'response' }), store),
    ).toBeUndefined();
  });
});

describe('response size', () => {
  it('allows 512 bytes without EDNS0, the client size clamped to 512..1232 with it, 65535 over TCP', () => {
    expect(maxResponseSize(decoded(query('a.zm', 'A')), 'udp')).toBe(512);
    expect(
      maxResponseSize(decoded(query('a.zm', 'A', { edns: { udpPayloadSize: 100 } })), 'udp'),
    ).toBe(512);
    expect(
      maxResponseSize(decoded(query('a.zm', 'A', { edns: { udpPayloadSize: 900 } })), 'udp'),
    ).toBe(900);
    expect(
      maxResponseSize(decoded(query('a.zm', 'A', { edns: { udpPayloadSize: 65000 } })), 'udp'),
    ).toBe(1232);
    expect(maxResponseSize(decoded(query('a.zm', 'A')), 'tcp')).toBe(65535);
  });

  it('truncates a referral whose glue does not fit instead of dropping the glue', () => {
    const r = ask(query('x.sub.example.co.zm', 'A'));
    const full = dnsPacket.encode(r).length;
    const cut = dnsPacket.decode(encodeResponse(r, full - 1));
    expect(cut.flag_tc).toBe(true);
    expect(cut.authorities).toEqual([]);
  });
});

describe('decoding', () => {
  it('answers FORMERR to a readable header with a broken body, and drops the unreadable', () => {
    const bytes = dnsPacket.encode(query('example.co.zm', 'A', { id: 9 })).subarray(0, 20);
    const result = decodeQuery(bytes);
    expect(result && 'reply' in result && result.reply.id).toBe(9);
    expect(decodeQuery(Buffer.from([1, 2]))).toBeUndefined();
    const response = Buffer.from(bytes);
    response[2] = response[2]! | 0x80;
    expect(decodeQuery(response)).toBeUndefined();
  });

  it('never throws, whatever the bytes', () => {
    const valid = dnsPacket.encode(
      query('www.example.co.zm', 'A', { edns: { udpPayloadSize: 1232 } }),
    );
    for (let i = 0; i < 20_000; i++) {
      const bytes = i % 2 ? randomBytes(i % 200) : Buffer.from(valid);
      if (i % 2 === 0)
        for (let k = 0; k < 3; k++) bytes[(i * 7 + k * 11) % bytes.length] = (i + k * 97) & 0xff;
      expect(() => respond(bytes, store, i % 3 ? 'udp' : 'tcp')).not.toThrow();
    }
  });
});

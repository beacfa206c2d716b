import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { query } from '../../../test/dns-server-client.js';
import { makeZone } from '../../../test/dns-server-fixtures.js';
import { ZoneStore } from './zone-store.js';
import {
  isSecondary,
  isTransferQuery,
  serialAtOrAfter,
  transferMessages,
} from './zone-transfer.js';

const decoded = (packet: Parameters<typeof dnsPacket.encode>[0]) =>
  dnsPacket.decode(dnsPacket.encode(packet));

describe('zone transfer', () => {
  it('lets only the configured secondaries transfer, by address alone', () => {
    const secondaries = [
      { host: '192.0.2.10', port: 53 },
      { host: '2001:db8::10', port: 5300 },
    ];
    expect(isSecondary('192.0.2.10', secondaries)).toBe(true);
    expect(isSecondary('::ffff:192.0.2.10', secondaries)).toBe(true);
    expect(isSecondary('2001:DB8::10', secondaries)).toBe(true);
    expect(isSecondary('192.0.2.11', secondaries)).toBe(false);
    expect(isSecondary('', secondaries)).toBe(false);
    expect(isSecondary('192.0.2.10', [])).toBe(false);
  });

  it('recognises AXFR and IXFR queries, not other opcodes or types', () => {
    expect(isTransferQuery(decoded(query('a.zm', 'AXFR')))).toBe(true);
    expect(isTransferQuery(decoded(query('a.zm', 'IXFR')))).toBe(true);
    expect(isTransferQuery(decoded(query('a.zm', 'SOA')))).toBe(false);
    expect(isTransferQuery(decoded(query('a.zm', 'AXFR', { flags: 4 << 11 })))).toBe(false);
  });

  it('compares serials with RFC 1982 arithmetic, across the wrap', () => {
    expect(serialAtOrAfter(5, 5)).toBe(true);
    expect(serialAtOrAfter(6, 5)).toBe(true);
    expect(serialAtOrAfter(4, 5)).toBe(false);
    expect(serialAtOrAfter(1, 0xffffffff)).toBe(true);
    expect(serialAtOrAfter(0xffffffff, 1)).toBe(false);
  });

  it('packs records into messages within the budget, SOA first and last', () => {
    const records = Array.from({ length: 300 }, (_, i): [string, 'A', unknown] => [
      `h${i}`,
      'A',
      '192.0.2.1',
    ]);
    const store = new ZoneStore();
    store.replace(makeZone('big.zm', 3, records));
    const messages = [...transferMessages(decoded(query('big.zm', 'AXFR')), store, 2_000)];
    expect(messages.length).toBeGreaterThan(3);
    for (const m of messages) expect(dnsPacket.encode(m).length).toBeLessThanOrEqual(2_000);
    const all = messages.flatMap((m) => m.answers ?? []);
    expect(all).toHaveLength(300 + 3 + 1);
    expect([all[0]?.type, all.at(-1)?.type]).toEqual(['SOA', 'SOA']);
  });
});

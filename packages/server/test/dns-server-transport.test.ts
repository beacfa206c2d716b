import { randomBytes } from 'node:crypto';
import dnsPacket, { type OptAnswer } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../src/dns/server/dns-server.js';
import { LocalZoneChanges } from './support/local-zone-changes.js';
import {
  TcpClient,
  query,
  tcpQuery,
  udpExchange,
  udpQuery,
  type Response,
} from './dns-server-client.js';
import { FakeZoneSource, exampleZone, makeZone } from './dns-server-fixtures.js';

let server: DnsServer;
let port: number;

beforeAll(async () => {
  const source = new FakeZoneSource([
    exampleZone(),
    makeZone('other.zm', 7, [['@', 'A', '198.51.100.7']]),
  ]);
  server = new DnsServer(
    { host: '127.0.0.1', port: 0, secondaries: [] },
    source,
    new LocalZoneChanges(),
    {
      tcpIdleTimeoutMs: 500,
      maxTcpConnections: 4,
    },
  );
  await server.start();
  port = server.port;
});

afterAll(async () => {
  await server.stop();
});

const opt = (r: Response) => (r.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');

describe('UDP payload size and truncation', () => {
  it('truncates a response over 512 bytes for a client without EDNS0, to header and question', async () => {
    const r = await udpQuery(port, query('medium.example.co.zm', 'TXT'));
    expect(r.flag_tc).toBe(true);
    expect(r.answers).toEqual([]);
    expect(r.questions?.[0]?.name).toBe('medium.example.co.zm');
    expect(r.size).toBeLessThanOrEqual(512);
  });

  it("honours the client's EDNS0 size: 1232 fits the 800-byte answer", async () => {
    const r = await udpQuery(
      port,
      query('medium.example.co.zm', 'TXT', { edns: { udpPayloadSize: 1232 } }),
    );
    expect(r.flag_tc).toBe(false);
    expect(r.answers).toHaveLength(1);
    expect(r.size).toBeGreaterThan(512);
  });

  it('treats an EDNS0 size under 512 as 512', async () => {
    const r = await udpQuery(
      port,
      query('medium.example.co.zm', 'TXT', { edns: { udpPayloadSize: 100 } }),
    );
    expect(r.flag_tc).toBe(true);
    expect(opt(r)?.udpPayloadSize).toBe(1232);
  });

  it('never sends more than 1232 bytes over UDP, even to a client offering 4096', async () => {
    const r = await udpQuery(
      port,
      query('big.example.co.zm', 'TXT', { edns: { udpPayloadSize: 4096 } }),
    );
    expect(r.flag_tc).toBe(true);
    expect(r.size).toBeLessThanOrEqual(1232);
  });

  it('gives the whole truncated answer over TCP (the client fallback)', async () => {
    const r = await tcpQuery(port, query('big.example.co.zm', 'TXT'));
    expect(r.flag_tc).toBe(false);
    expect(r.answers).toHaveLength(10);
  });

  it('drops optional additional data before truncating', async () => {
    // 38 MX records: the answer fits in 1232 bytes only without the exchange's address.
    const mxs = Array.from({ length: 38 }, (_, i) => ({
      preference: i,
      exchange: 'mail.example.co.zm',
    }));
    const zone = makeZone('mx.zm', 1, [
      ...mxs.map((mx): [string, 'MX', unknown] => ['@', 'MX', mx]),
      ['mail', 'A', '192.0.2.25'],
    ]);
    zone.records = zone.records.map((r) =>
      r.type === 'MX' ? { ...r, data: { ...r.data, exchange: 'mail.mx.zm' } } : r,
    );
    server.store.replace(zone);
    try {
      const r = await udpQuery(port, query('mx.zm', 'MX', { edns: { udpPayloadSize: 1232 } }));
      const full = await tcpQuery(port, query('mx.zm', 'MX', { edns: { udpPayloadSize: 1232 } }));
      expect(full.additionals?.filter((a) => a.type === 'A')).toHaveLength(1);
      expect(dnsPacket.encodingLength(full)).toBeGreaterThan(1232);
      expect(r.flag_tc).toBe(false);
      expect(r.answers).toHaveLength(38);
      expect(r.additionals?.filter((a) => a.type !== 'OPT')).toEqual([]);
    } finally {
      server.store.remove('mx.zm');
    }
  });
});

describe('TCP', () => {
  it('answers several queries on one connection, in order, even split across writes', async () => {
    const client = await TcpClient.connect(port);
    try {
      const bytes = Buffer.concat([
        dnsPacket.streamEncode(query('example.co.zm', 'A', { id: 1 })),
        dnsPacket.streamEncode(query('mail.example.co.zm', 'A', { id: 2 })),
        dnsPacket.streamEncode(query('missing.example.co.zm', 'A', { id: 3 })),
      ]);
      // One byte at a time for the first message, then the rest in one write.
      for (let i = 0; i < 20; i++) client.send(bytes.subarray(i, i + 1));
      client.send(bytes.subarray(20));
      const replies = [await client.next(), await client.next(), await client.next()];
      expect(replies.map((r) => [r.id, r.rcode])).toEqual([
        [1, 'NOERROR'],
        [2, 'NOERROR'],
        [3, 'NXDOMAIN'],
      ]);
    } finally {
      client.close();
    }
  });

  it('closes an idle connection after the idle timeout', async () => {
    const client = await TcpClient.connect(port);
    client.send(query('example.co.zm', 'A'));
    await client.next();
    await client.waitClosed(2_000);
    expect(client.closed).toBe(true);
  });

  it('holds at most the configured number of connections, serving again once they close', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => TcpClient.connect(port)));
    try {
      const extra = await TcpClient.connect(port);
      extra.send(query('example.co.zm', 'A'));
      await expect(extra.next(500)).rejects.toThrow();
      extra.close();
    } finally {
      for (const c of held) c.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await tcpQuery(port, query('example.co.zm', 'A'))).rcode).toBe('NOERROR');
  });
});

describe('malformed input', () => {
  it('answers FORMERR with the id to a readable header followed by garbage', async () => {
    const header = Buffer.from([
      0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]);
    const reply = await udpExchange(port, Buffer.concat([header, Buffer.from([0xff, 0xff, 0xff])]));
    const r = dnsPacket.decode(reply!) as Response;
    expect(r.id).toBe(0x1234);
    expect(r.rcode).toBe('FORMERR');
  });

  it('drops packets too short for a header, and responses', async () => {
    expect(await udpExchange(port, Buffer.from([1, 2, 3]), 300)).toBeUndefined();
    const response = dnsPacket.encode({ ...query('example.co.zm', 'A'), type: 'response' });
    expect(await udpExchange(port, response, 300)).toBeUndefined();
  });

  it('survives 2,000 random and mutated packets over UDP and TCP, then still answers', async () => {
    const valid = dnsPacket.encode(
      query('www.example.co.zm', 'A', { edns: { udpPayloadSize: 1232 } }),
    );
    const packets = Array.from({ length: 2_000 }, (_, i) => {
      if (i % 2 === 0) return randomBytes(1 + (i % 300));
      const mutated = Buffer.from(valid);
      for (let k = 0; k < 1 + (i % 5); k++)
        mutated[(i * 7 + k * 13) % mutated.length] = (i * 31 + k) & 0xff;
      return mutated.subarray(0, 1 + (i % mutated.length));
    });
    await Promise.all(packets.slice(0, 1_000).map((p) => udpExchange(port, p, 200)));
    const client = await TcpClient.connect(port);
    for (const p of packets.slice(1_000)) {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(p.length);
      client.send(Buffer.concat([prefix, p]));
    }
    client.close();
    expect((await udpQuery(port, query('example.co.zm', 'A'))).rcode).toBe('NOERROR');
    expect((await tcpQuery(port, query('example.co.zm', 'A'))).rcode).toBe('NOERROR');
  });
});

describe('start', () => {
  it('rejects when the port is taken, naming the error', async () => {
    const other = new DnsServer(
      { host: '127.0.0.1', port, secondaries: [] },
      new FakeZoneSource([]),
      new LocalZoneChanges(),
    );
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
    expect((await udpQuery(port, query('example.co.zm', 'A'))).rcode).toBe('NOERROR');
  });
});

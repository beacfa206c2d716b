import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type SoaAnswer } from 'dns-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../src/dns/server/dns-server.js';
import { LocalZoneChanges } from './support/local-zone-changes.js';
import type { ZoneChanges } from '../src/dns/zone.js';
import { query, transfer, udpQuery, type Response } from './dns-server-client.js';
import { FakeZoneSource, exampleZone, makeZone } from './dns-server-fixtures.js';

/** A secondary that records each NOTIFY and answers from the `answerFrom`-th one on. */
class FakeSecondary {
  readonly socket = dgram.createSocket('udp4');
  readonly received: (DecodedPacket & { opcode: string })[] = [];
  answerFrom = 1;

  async start(): Promise<number> {
    this.socket.on('message', (message, from) => {
      const packet = dnsPacket.decode(message) as DecodedPacket & { opcode: string };
      this.received.push(packet);
      if (this.received.length < this.answerFrom) return;
      const reply = dnsPacket.encode({
        id: packet.id,
        type: 'response',
        flags: (4 << 11) | dnsPacket.AUTHORITATIVE_ANSWER,
        questions: packet.questions,
      });
      this.socket.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }
}

const serialOf = (r: Response) =>
  (r.answers?.find((a) => a.type === 'SOA') as SoaAnswer | undefined)?.data.serial;

async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 2));
  }
}

let secondary: FakeSecondary;
let source: FakeZoneSource;
let changes: LocalZoneChanges;
let server: DnsServer;
let port: number;

beforeAll(async () => {
  secondary = new FakeSecondary();
  const secondaryPort = await secondary.start();
  const manyRecords = Array.from({ length: 5_000 }, (_, i): [string, 'TXT', unknown] => [
    `host${i}`,
    'TXT',
    [`record number ${i} with some padding to make it longer`],
  ]);
  source = new FakeZoneSource([exampleZone(), makeZone('large.zm', 1, manyRecords)]);
  changes = new LocalZoneChanges();
  server = new DnsServer(
    { host: '127.0.0.1', port: 0, secondaries: [{ host: '127.0.0.1', port: secondaryPort }] },
    source,
    changes,
    { notifyRetry: { attempts: 4, firstTimeoutMs: 50 } },
  );
  await server.start();
  port = server.port;
});

afterAll(async () => {
  await server.stop();
  secondary.socket.close();
});

describe('AXFR', () => {
  it('streams the zone to a secondary: SOA first and last, every record once, AA set', async () => {
    const { messages } = await transfer(port, query('example.co.zm', 'AXFR'));
    const records = messages.flatMap((m) => m.answers ?? []);
    expect(messages.every((m) => m.rcode === 'NOERROR' && m.flag_aa)).toBe(true);
    expect(records[0]?.type).toBe('SOA');
    expect(records.at(-1)?.type).toBe('SOA');
    const zone = exampleZone();
    expect(records).toHaveLength(zone.records.length + 1);
    const key = (r: { name: string; type: string }) => `${r.name} ${r.type}`;
    expect(records.slice(0, -1).map(key).sort()).toEqual(zone.records.map(key).sort());
  });

  it('splits a 5,000-record zone into messages under 64 KiB, the question in the first only', async () => {
    const { messages, sizes } = await transfer(port, query('large.zm', 'AXFR'));
    expect(messages.length).toBeGreaterThan(3);
    expect(Math.max(...sizes)).toBeLessThan(65_536);
    expect(messages[0]?.questions).toHaveLength(1);
    expect(messages.slice(1).every((m) => m.questions?.length === 0)).toBe(true);
    const records = messages.flatMap((m) => m.answers ?? []);
    expect(records).toHaveLength(5_000 + 3 + 1);
    expect(records.filter((r) => r.type === 'SOA')).toHaveLength(2);
  });

  it('refuses a client that is not a configured secondary', async () => {
    // 127.0.0.2 is loopback too, but not the secondary's address.
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    const reply = await new Promise<Response>((resolve, reject) => {
      socket.on('data', (chunk) => resolve(dnsPacket.decode(chunk.subarray(2)) as Response));
      socket.on('error', reject);
      socket.write(dnsPacket.streamEncode(query('example.co.zm', 'AXFR')));
    });
    socket.destroy();
    expect(reply.rcode).toBe('REFUSED');
    expect(reply.answers).toEqual([]);
  });

  it('refuses AXFR over UDP, even from a secondary', async () => {
    const r = await udpQuery(port, query('example.co.zm', 'AXFR'));
    expect(r.rcode).toBe('REFUSED');
    expect(r.answers).toEqual([]);
  });

  it('answers NOTAUTH for a zone it does not serve, or a name that is not an apex', async () => {
    for (const name of ['nowhere.zm', 'www.example.co.zm']) {
      const { messages } = await transfer(port, query(name, 'AXFR'));
      expect(messages.map((m) => m.rcode)).toEqual(['NOTAUTH']);
    }
  });
});

describe('IXFR (answered in full, RFC 1995 §4)', () => {
  const ixfr = (serial: number) => {
    const q = query('example.co.zm', 'IXFR');
    q.authorities = [
      {
        name: 'example.co.zm',
        type: 'SOA',
        ttl: 0,
        data: { mname: 'a', rname: 'b', serial, refresh: 0, retry: 0, expire: 0, minimum: 0 },
      },
    ];
    return q;
  };

  it('sends only the SOA to a secondary that already holds our serial', async () => {
    const current = serialOf(await udpQuery(port, query('example.co.zm', 'SOA')))!;
    const { messages } = await transfer(port, ixfr(current));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.answers?.map((a) => a.type)).toEqual(['SOA']);
  });

  it('sends the whole zone, AXFR style, to a secondary with an older serial', async () => {
    const current = serialOf(await udpQuery(port, query('example.co.zm', 'SOA')))!;
    const { messages } = await transfer(port, ixfr(current - 1));
    const records = messages.flatMap((m) => m.answers ?? []);
    expect(records[0]?.type).toBe('SOA');
    expect(records.at(-1)?.type).toBe('SOA');
    expect(records.length).toBeGreaterThan(10);
  });
});

describe('changes', () => {
  afterEach(async () => {
    await server.settled();
  });

  it('serves a changed record within 100 ms of the change being announced', async () => {
    const zone = exampleZone(2024010102);
    zone.records = zone.records.map((r) =>
      r.name === 'mail.example.co.zm' && r.type === 'A' ? { ...r, data: '192.0.2.99' } : r,
    );
    source.put(zone);
    const started = performance.now();
    await changes.changed('example.co.zm');
    const r = await waitFor(
      () => udpQuery(port, query('mail.example.co.zm', 'A')),
      (reply) => reply.answers?.[0]?.type === 'A' && reply.answers[0].data === '192.0.2.99',
      1_000,
    );
    const elapsed = performance.now() - started;
    expect(r.answers?.[0]).toEqual(expect.objectContaining({ data: '192.0.2.99' }));
    expect(elapsed).toBeLessThan(100);
    expect(serialOf(await udpQuery(port, query('example.co.zm', 'SOA')))).toBe(2024010102);
  });

  it('sends a NOTIFY (opcode NOTIFY, AA, SOA question) to the secondary on each change, retrying until it answers', async () => {
    secondary.received.length = 0;
    secondary.answerFrom = 3;
    source.put(exampleZone(2024010103));
    await changes.changed('example.co.zm');
    await waitFor(
      async () => secondary.received.length,
      (n) => n >= 3,
      2_000,
    );
    // Answered on the third try, the NOTIFY is not sent again.
    await new Promise((r) => setTimeout(r, 400));
    const notifies = secondary.received;
    expect(notifies).toHaveLength(3);
    for (const n of notifies) {
      expect(n.opcode).toBe('NOTIFY');
      expect(n.flag_aa).toBe(true);
      expect(n.questions).toEqual([{ name: 'example.co.zm', type: 'SOA', class: 'IN' }]);
      expect((n.answers?.[0] as SoaAnswer).data.serial).toBe(2024010103);
    }
    expect(await server.notify('example.co.zm')).toEqual(['acknowledged']);
    secondary.answerFrom = 1;
  });

  it('gives up on a secondary that never answers, after the configured attempts', async () => {
    secondary.received.length = 0;
    secondary.answerFrom = Number.POSITIVE_INFINITY;
    try {
      const outcome = await server.notify('example.co.zm');
      expect(outcome).toEqual(['unanswered']);
      expect(secondary.received).toHaveLength(4);
    } finally {
      secondary.answerFrom = 1;
    }
  });

  it('serves a zone added after start, and refuses a zone once removed', async () => {
    source.put(makeZone('new.zm', 1, [['@', 'A', '203.0.113.1']]));
    await changes.changed('new.zm');
    await server.settled();
    expect((await udpQuery(port, query('new.zm', 'A'))).rcode).toBe('NOERROR');
    source.zones = source.zones.filter((z) => z.name !== 'new.zm');
    await changes.changed('new.zm');
    await server.settled();
    expect((await udpQuery(port, query('new.zm', 'A'))).rcode).toBe('REFUSED');
  });
});

describe('resync', () => {
  it('reloads every zone when the change feed says announcements may have been missed', async () => {
    let resync: () => void = () => undefined;
    const feed: ZoneChanges = {
      changed: async () => undefined,
      subscribe: async (_onChange, onResync) => {
        resync = onResync;
        return async () => undefined;
      },
    };
    const missed = new FakeZoneSource([exampleZone(1), makeZone('gone.zm', 1, [])]);
    const other = new DnsServer({ host: '127.0.0.1', port: 0, secondaries: [] }, missed, feed);
    await other.start();
    try {
      missed.zones = [exampleZone(2), makeZone('added.zm', 1, [])];
      resync();
      const added = await waitFor(
        () => udpQuery(other.port, query('added.zm', 'SOA')),
        (r) => r.rcode === 'NOERROR',
        1_000,
      );
      expect(added.rcode).toBe('NOERROR');
      expect(serialOf(await udpQuery(other.port, query('example.co.zm', 'SOA')))).toBe(2);
      expect((await udpQuery(other.port, query('gone.zm', 'SOA'))).rcode).toBe('REFUSED');
    } finally {
      await other.stop();
    }
  });
});

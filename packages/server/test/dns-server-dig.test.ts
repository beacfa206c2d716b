import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../src/dns/server/dns-server.js';
import { LocalZoneChanges } from './support/local-zone-changes.js';
import { commandExists, dig } from './dns-server-client.js';
import { FakeZoneSource, exampleZone } from './dns-server-fixtures.js';

// CI installs Debian's dnsutils; a machine without dig skips these rather than fails.
const hasDig = await commandExists('dig');

let server: DnsServer;
let port: number;

beforeAll(async () => {
  server = new DnsServer(
    // dig's transfers come from 127.0.0.1, so it counts as a secondary.
    { host: '127.0.0.1', port: 0, secondaries: [{ host: '127.0.0.1', port: 53 }] },
    new FakeZoneSource([exampleZone()]),
    new LocalZoneChanges(),
  );
  await server.start();
  port = server.port;
});

afterAll(async () => {
  await server.stop();
});

/** The records of one section of dig's output, whitespace collapsed. */
function section(output: string, name: 'ANSWER' | 'AUTHORITY' | 'ADDITIONAL'): string[] {
  const match = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(output);
  return match?.[1]?.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()) ?? [];
}

describe.skipIf(!hasDig)('queried with dig', () => {
  it('answers an A query with the aa flag', async () => {
    const out = await dig(port, ['example.co.zm', 'A', '+norec']);
    expect(out).toContain('status: NOERROR');
    expect(out).toMatch(/flags: qr aa;/);
    expect(section(out, 'ANSWER')).toEqual(['example.co.zm. 300 IN A 192.0.2.1']);
  });

  it('answers NXDOMAIN with the SOA in the authority section', async () => {
    const out = await dig(port, ['nope.example.co.zm', 'A']);
    expect(out).toContain('status: NXDOMAIN');
    expect(section(out, 'AUTHORITY')).toEqual([
      'example.co.zm. 300 IN SOA ns1.swiftcloud.zm. hostmaster.swiftcloud.zm. 2024010101 3600 600 1209600 300',
    ]);
  });

  it('sets TC for an answer larger than the UDP size, and dig then gets it all over TCP', async () => {
    const truncated = await dig(port, ['big.example.co.zm', 'TXT', '+bufsize=1232', '+ignore']);
    expect(truncated).toMatch(/flags: qr aa tc[ ;]/);
    expect(section(truncated, 'ANSWER')).toEqual([]);
    const withoutEdns = await dig(port, ['medium.example.co.zm', 'TXT', '+noedns', '+ignore']);
    expect(withoutEdns).toMatch(/flags: qr aa tc[ ;]/);

    const fallback = await dig(port, ['big.example.co.zm', 'TXT', '+bufsize=1232']);
    expect(fallback).toContain('Truncated, retrying in TCP mode');
    expect(section(fallback, 'ANSWER')).toHaveLength(10);
    expect(fallback).not.toMatch(/flags: [^;]*tc/);
  });

  it('gives the whole answer over UDP when the EDNS0 size allows it', async () => {
    const out = await dig(port, ['medium.example.co.zm', 'TXT', '+bufsize=1232', '+notcp']);
    expect(out).not.toMatch(/flags: [^;]*tc/);
    expect(section(out, 'ANSWER')).toHaveLength(1);
    expect(out).toContain('; EDNS: version: 0, flags:; udp: 1232');
  });

  it('transfers the zone by AXFR, SOA first and last', async () => {
    const out = await dig(port, ['example.co.zm', 'AXFR']);
    const records = out.split('\n').filter((l) => l && !l.startsWith(';'));
    expect(records[0]).toMatch(/^example\.co\.zm\.\s+3600\s+IN\s+SOA\s/);
    expect(records.at(-1)).toMatch(/^example\.co\.zm\.\s+3600\s+IN\s+SOA\s/);
    expect(records).toHaveLength(exampleZone().records.length + 1);
    expect(out).toMatch(/XFR size: \d+ records/);
  });
});

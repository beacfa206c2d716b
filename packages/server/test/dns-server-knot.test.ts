/**
 * A real secondary: Knot DNS (Debian's `knot`) transfers a zone from our server by AXFR,
 * serves the same answers, and re-transfers when our NOTIFY tells it of a change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Answer, SoaAnswer } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../src/dns/server/dns-server.js';
import { LocalZoneChanges } from './support/local-zone-changes.js';
import { commandExists, query, udpQuery, type Response } from './dns-server-client.js';
import { FakeZoneSource, exampleZone } from './dns-server-fixtures.js';

const hasKnot = await commandExists('knotd');
if (!hasKnot)
  console.warn('knotd is not installed (Debian package `knot`): skipping the Knot secondary test');

const ZONE = 'example.co.zm';

/** A port free for both UDP and TCP on 127.0.0.1 at the time of asking. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function knotConfig(dir: string, knotPort: number, primaryPort: number): string {
  return `server:
    rundir: "${dir}"
    listen: 127.0.0.1@${knotPort}
log:
  - target: stderr
    any: info
database:
    storage: "${dir}"
remote:
  - id: primary
    address: 127.0.0.1@${primaryPort}
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "${dir}"
    file: "%s.zone"
zone:
  - domain: ${ZONE}
    master: primary
    acl: notify_from_primary
`;
}

const serialOf = (r: Response) =>
  (r.answers?.find((a) => a.type === 'SOA') as SoaAnswer | undefined)?.data.serial;

async function waitForSerial(
  port: number,
  serial: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let seen: number | undefined;
  while (Date.now() < deadline) {
    seen = await udpQuery(port, query(ZONE, 'SOA'))
      .then(serialOf)
      .catch(() => undefined);
    if (seen === serial) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

/**
 * What two servers must agree on: rcode, AA, and each section as a sorted set of records.
 * Names compare without case: Knot compresses a CNAME target into the question's spelling,
 * which is the same name.
 */
function comparable(r: Response) {
  const rr = (list: Answer[] | undefined) =>
    (list ?? [])
      .filter((a) => a.type !== 'OPT')
      .map((a) =>
        JSON.stringify([
          a.name,
          a.type,
          'ttl' in a ? a.ttl : 0,
          'data' in a ? a.data : null,
        ]).toLowerCase(),
      )
      .sort();
  return {
    rcode: r.rcode,
    aa: r.flag_aa,
    answers: rr(r.answers),
    authorities: rr(r.authorities),
    additionals: rr(r.additionals),
  };
}

let dir: string;
let knot: ChildProcess | undefined;
let knotLog = '';
let knotPort: number;
let server: DnsServer;
let source: FakeZoneSource;
let changes: LocalZoneChanges;

describe.skipIf(!hasKnot)('a Knot secondary', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'swiftcloud-knot-'));
    knotPort = await freePort();
    source = new FakeZoneSource([exampleZone(2024010101)]);
    changes = new LocalZoneChanges();
    server = new DnsServer(
      { host: '127.0.0.1', port: 0, secondaries: [{ host: '127.0.0.1', port: knotPort }] },
      source,
      changes,
      { notifyRetry: { attempts: 5, firstTimeoutMs: 200 } },
    );
    await server.start();
    const config = path.join(dir, 'knot.conf');
    await writeFile(config, knotConfig(dir, knotPort, server.port));
    // knotd runs as the current user when the config names none (root in CI containers is fine).
    knot = spawn('knotd', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    knot.stderr?.on('data', (chunk: Buffer) => (knotLog += chunk.toString()));
  });

  afterAll(async () => {
    if (knot && knot.exitCode === null) {
      const exited = new Promise((resolve) => knot!.once('exit', resolve));
      knot.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('transfers the zone by AXFR and reaches our serial', async () => {
    const serial = await waitForSerial(knotPort, 2024010101, 15_000);
    expect(serial, knotLog).toBe(2024010101);
    expect(knotLog).toMatch(/AXFR, incoming/);
  });

  it('serves the same answers as our server', async () => {
    const questions: [string, Parameters<typeof query>[1]][] = [
      [ZONE, 'SOA'],
      [ZONE, 'A'],
      [ZONE, 'MX'],
      [ZONE, 'TXT'],
      [ZONE, 'CAA'],
      ['v6.example.co.zm', 'AAAA'],
      ['txt.example.co.zm', 'TXT'],
      ['_sip._tcp.example.co.zm', 'SRV'],
      ['alias.example.co.zm', 'A'],
      ['out.example.co.zm', 'A'],
      ['dangling.example.co.zm', 'A'],
      ['missing.example.co.zm', 'A'],
      ['mail.example.co.zm', 'AAAA'],
      ['anything.apps.example.co.zm', 'A'],
      ['a.b.apps.example.co.zm', 'TXT'],
      ['deep.apps.example.co.zm', 'A'],
      ['other.deep.apps.example.co.zm', 'A'],
      ['host.sub.example.co.zm', 'A'],
      ['WwW.ExAmPlE.cO.zM', 'A'],
    ];
    for (const [name, type] of questions) {
      const ours = await udpQuery(
        server.port,
        query(name, type, { edns: { udpPayloadSize: 1232 } }),
      );
      const theirs = await udpQuery(
        knotPort,
        query(name, type, { edns: { udpPayloadSize: 1232 } }),
      );
      expect(comparable(ours), `${name} ${type}`).toEqual(comparable(theirs));
      expect(ours.answers?.[0]?.name, 'owner keeps the question case').toBe(
        theirs.answers?.[0]?.name,
      );
    }
  });

  it('hears our NOTIFY after a change and transfers the new serial', async () => {
    const zone = exampleZone(2024010102);
    zone.records = zone.records.map((r) =>
      r.name === 'mail.example.co.zm' && r.type === 'A' ? { ...r, data: '192.0.2.99' } : r,
    );
    source.put(zone);
    await changes.changed(ZONE);
    // Knot's refresh timer is an hour away: only the NOTIFY can make it this quick.
    const serial = await waitForSerial(knotPort, 2024010102, 10_000);
    expect(serial, knotLog).toBe(2024010102);
    expect(knotLog).toMatch(/notify, incoming/i);
    const answer = await udpQuery(knotPort, query('mail.example.co.zm', 'A'));
    expect(answer.answers?.[0]).toEqual(expect.objectContaining({ data: '192.0.2.99' }));
  });
});

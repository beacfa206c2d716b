import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
} from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../src/config.js';
import { UdpDnsClient } from '../src/dns/verification/dns-client.js';
import { DelegationResolver } from '../src/dns/verification/delegation-resolver.js';
import {
  NameserversUnreachable,
  NameserverVerifier,
} from '../src/dns/verification/nameserver-check.js';

// Every fake server below is a tiny authoritative server on its own loopback address, all on
// one port: glue gives addresses only, so the resolver is told that port (gluePort) as it
// would be told 53 in production. Nothing here ever leaves 127.0.0.0/8.

type Rec = Exclude<Answer, OptAnswer>;
type Behaviour = 'answer' | 'silent' | 'refuse' | 'truncate-udp';

interface Received {
  name: string;
  type: string;
  recursionDesired: boolean;
  transport: 'udp' | 'tcp';
  /** What the fake sent back. */
  reply: 'referral' | 'answer' | 'nodata' | 'nxdomain' | 'refused' | 'truncated' | 'none';
}

const within = (name: string, zone: string) =>
  zone === '' || name === zone || name.endsWith(`.${zone}`);

/** The zones a fake server is authoritative for: apex and records (delegations included). */
type FakeZones = Record<string, Rec[]>;

class FakeAuthoritative {
  readonly received: Received[] = [];
  private udp: Socket | undefined;
  private tcp: Server | undefined;

  constructor(
    readonly host: string,
    private readonly zones: FakeZones,
    private readonly behaviour: Behaviour = 'answer',
  ) {}

  async listen(port: number): Promise<void> {
    const udp = createSocket('udp4');
    udp.on('message', (message, peer) => {
      const reply = this.reply(message, 'udp');
      if (reply) udp.send(dnsPacket.encode(reply), peer.port, peer.address);
    });
    const tcp = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (data) => {
        const reply = this.reply(data.subarray(2), 'tcp');
        if (reply) socket.end(dnsPacket.streamEncode(reply));
      });
    });
    this.udp = udp;
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, this.host, () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, this.host, () => resolve());
    });
  }

  async close(): Promise<void> {
    this.udp?.close();
    await new Promise((resolve) => (this.tcp ? this.tcp.close(resolve) : resolve(undefined)));
  }

  queriesFor(name: string): Received[] {
    return this.received.filter((q) => q.name.toLowerCase() === name);
  }

  private reply(message: Buffer, transport: 'udp' | 'tcp'): Packet | undefined {
    const query = dnsPacket.decode(message) as DecodedPacket;
    const question = query.questions![0]!;
    const name = question.name.toLowerCase();
    const log = (reply: Received['reply']) =>
      this.received.push({
        name,
        type: question.type,
        recursionDesired: query.flag_rd,
        transport,
        reply,
      });
    const base = { type: 'response' as const, id: query.id, questions: [question] };
    if (this.behaviour === 'silent') return void log('none');
    if (this.behaviour === 'refuse') return (log('refused'), { ...base, flags: 5 });
    if (this.behaviour === 'truncate-udp' && transport === 'udp') {
      return (log('truncated'), { ...base, flags: dnsPacket.TRUNCATED_RESPONSE });
    }
    const apex = Object.keys(this.zones)
      .filter((zone) => within(name, zone))
      .sort((a, b) => b.length - a.length)[0];
    if (apex === undefined) return (log('refused'), { ...base, flags: 5 });
    const records = this.zones[apex]!;
    const soa: Rec = {
      name: apex,
      type: 'SOA',
      ttl: 3600,
      data: { mname: `ns.${apex}`, rname: `hostmaster.${apex}`, serial: 1 },
    };
    // The zone cut closest to the apex is where this zone's authority ends.
    const cut = records
      .filter((r) => r.type === 'NS' && r.name !== apex && within(name, r.name))
      .sort((a, b) => a.name.length - b.name.length)[0];
    if (cut) {
      const ns = records.filter((r) => r.type === 'NS' && r.name === cut.name);
      const targets = ns.map((r) => String(r.data).toLowerCase());
      const glue = records.filter(
        (r) => (r.type === 'A' || r.type === 'AAAA') && targets.includes(r.name.toLowerCase()),
      );
      return (log('referral'), { ...base, flags: 0, authorities: ns, additionals: glue });
    }
    const AA = dnsPacket.AUTHORITATIVE_ANSWER;
    const answers = records.filter((r) => r.name === name && r.type === question.type);
    if (answers.length > 0) return (log('answer'), { ...base, flags: AA, answers });
    if (records.some((r) => within(r.name, name))) {
      return (log('nodata'), { ...base, flags: AA, authorities: [soa] });
    }
    return (log('nxdomain'), { ...base, flags: AA | 3, authorities: [soa] });
  }
}

const ns = (name: string, ...targets: string[]): Rec[] =>
  targets.map((data) => ({ name, type: 'NS', ttl: 3600, data }));
const a = (name: string, host: string): Rec => ({ name, type: 'A', ttl: 3600, data: host });
const OURS = ['ns1.swiftcloud.zm', 'ns2.swiftcloud.zm'];

const coZm: Rec[] = [
  ...ns('co.zm', 'ns1.co.zm', 'ns2.co.zm'),
  ...ns('ours.co.zm', ...OURS),
  ...ns('shouty.co.zm', 'NS1.SwiftCloud.ZM', 'ns2.SWIFTCLOUD.zm'),
  ...ns('partly.co.zm', 'ns1.swiftcloud.zm', 'ns.other-host.net'),
  ...ns('elsewhere.co.zm', 'ns1.other-host.net', 'ns2.other-host.net'),
  ...ns('hosted.co.zm', ...OURS),
  a('ns.edu-dns.co.zm', '127.0.0.4'),
];

const servers = {
  root: new FakeAuthoritative('127.0.0.2', {
    '': [
      ...ns('', 'a.root.test'),
      ...ns('zm', 'ns1.dns.zm'),
      a('ns1.dns.zm', '127.0.0.3'),
      ...ns('mw', 'ns.mw'),
      a('ns.mw', '127.0.0.10'),
    ],
  }),
  zm: new FakeAuthoritative('127.0.0.3', {
    zm: [
      ...ns('zm', 'ns1.dns.zm'),
      a('ns1.dns.zm', '127.0.0.3'),
      ...ns('co.zm', 'ns1.co.zm', 'ns2.co.zm'),
      a('ns1.co.zm', '127.0.0.4'),
      a('ns2.co.zm', '127.0.0.5'),
      // ac.zm is no zone of its own: its names are delegated straight from zm.
      ...ns('school.ac.zm', ...OURS),
      ...ns('org.zm', 'ns1.org.zm', 'ns2.org.zm'),
      a('ns1.org.zm', '127.0.0.6'),
      a('ns2.org.zm', '127.0.0.7'),
      ...ns('net.zm', 'ns1.net.zm'),
      a('ns1.net.zm', '127.0.0.8'),
      // Glueless: the server's name lives in another zone and must be looked up.
      ...ns('edu.zm', 'ns.edu-dns.co.zm'),
      // Broken glueless delegations: a server named inside its own zone, and two zones whose
      // servers are named in each other.
      ...ns('loop.zm', 'ns.loop.zm'),
      ...ns('ping.zm', 'ns.pong.zm'),
      ...ns('pong.zm', 'ns.ping.zm'),
    ],
  }),
  // ns1.co.zm also serves hosted.co.zm itself, so it answers authoritatively for it.
  coZm1: new FakeAuthoritative('127.0.0.4', {
    'co.zm': coZm,
    'hosted.co.zm': ns('hosted.co.zm', ...OURS),
    'edu.zm': [...ns('edu.zm', 'ns.edu-dns.co.zm'), ...ns('uni.edu.zm', ...OURS)],
  }),
  coZm2: new FakeAuthoritative('127.0.0.5', { 'co.zm': coZm }),
  orgLame: new FakeAuthoritative('127.0.0.6', {}, 'refuse'),
  org: new FakeAuthoritative('127.0.0.7', {
    'org.zm': [...ns('org.zm', 'ns1.org.zm', 'ns2.org.zm'), ...ns('school.org.zm', ...OURS)],
  }),
  netSilent: new FakeAuthoritative('127.0.0.8', {}, 'silent'),
  mw: new FakeAuthoritative(
    '127.0.0.10',
    { mw: [...ns('mw', 'ns.mw'), ...ns('business.mw', ...OURS)] },
    'truncate-udp',
  ),
};
const all = Object.values(servers);

let port = 0;
const TIMEOUT_MS = 300;

function verifierFor(roots: Endpoint[]) {
  const resolver = new DelegationResolver({
    rootServers: roots,
    gluePort: port,
    querier: new UdpDnsClient({ timeoutMs: TIMEOUT_MS }),
  });
  return { resolver, verifier: new NameserverVerifier(resolver) };
}

let resolver: DelegationResolver;
let verifier: NameserverVerifier;

beforeAll(async () => {
  // One port free on every fake address; a random pick rarely collides, and is retried if it does.
  for (let attempt = 0; ; attempt++) {
    port = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      for (const server of all) await server.listen(port);
      break;
    } catch (err) {
      await Promise.all(all.map((s) => s.close().catch(() => undefined)));
      if (attempt === 10) throw err;
    }
  }
  ({ resolver, verifier } = verifierFor([{ host: '127.0.0.2', port }]));
});

afterAll(async () => {
  await Promise.all(all.map((s) => s.close()));
});

describe('nameserver verification against a fake root and parents on loopback', () => {
  it('is active when the parent delegates to exactly our nameservers', async () => {
    const result = await verifier.check('ours.co.zm', OURS);
    expect(result).toMatchObject({
      status: 'active',
      delegatedNameservers: OURS,
      parentZone: 'co.zm',
    });
  });

  it('walks root -> zm -> co.zm with non-recursive queries and asks every co.zm server', async () => {
    const delegation = await resolver.findDelegation('Ours.CO.zm.');
    expect(delegation).toEqual({
      domain: 'ours.co.zm',
      parentZone: 'co.zm',
      nameservers: OURS,
      servers: [
        { server: 'ns1.co.zm', answer: { kind: 'delegated', nameservers: OURS } },
        { server: 'ns2.co.zm', answer: { kind: 'delegated', nameservers: OURS } },
      ],
    });
    for (const server of [servers.root, servers.zm, servers.coZm1, servers.coZm2]) {
      expect(server.queriesFor('ours.co.zm').length).toBeGreaterThan(0);
    }
    expect(servers.root.queriesFor('ours.co.zm')[0]!.reply).toBe('referral');
    expect(servers.zm.queriesFor('ours.co.zm')[0]!.reply).toBe('referral');
    const everyQuery = all.flatMap((s) => s.received);
    expect(everyQuery.length).toBeGreaterThan(0);
    expect(everyQuery.filter((q) => q.recursionDesired)).toEqual([]);
  });

  it('finds the parent by the walk, not by the name: school.ac.zm is delegated by zm itself', async () => {
    const result = await verifier.check('school.ac.zm', OURS);
    expect(result).toMatchObject({ status: 'active', parentZone: 'zm' });
    expect(result.servers).toEqual([
      { server: 'ns1.dns.zm', answer: { kind: 'delegated', nameservers: OURS } },
    ]);
  });

  it('is pending when the parent answers NXDOMAIN (not registered)', async () => {
    const result = await verifier.check('notregistered.co.zm', OURS);
    expect(result).toMatchObject({
      status: 'pending',
      delegatedNameservers: [],
      parentZone: 'co.zm',
    });
    expect(result.servers.map((s) => s.answer)).toEqual([
      { kind: 'not-delegated', rcode: 'NXDOMAIN' },
      { kind: 'not-delegated', rcode: 'NXDOMAIN' },
    ]);
  });

  it('is failed, showing both, when delegated to one of ours and another server', async () => {
    const result = await verifier.check('partly.co.zm', OURS);
    expect(result).toMatchObject({
      status: 'failed',
      delegatedNameservers: ['ns.other-host.net', 'ns1.swiftcloud.zm'],
    });
  });

  it('is failed, showing them, when delegated to other nameservers', async () => {
    const result = await verifier.check('elsewhere.co.zm', OURS);
    expect(result).toMatchObject({
      status: 'failed',
      delegatedNameservers: ['ns1.other-host.net', 'ns2.other-host.net'],
    });
  });

  it('is failed when delegated to ours plus more, and when ours are only part of the set we expect', async () => {
    expect((await verifier.check('ours.co.zm', [...OURS, 'ns3.swiftcloud.zm'])).status).toBe(
      'failed',
    );
    expect((await verifier.check('ours.co.zm', ['ns1.swiftcloud.zm'])).status).toBe('failed');
  });

  it('ignores case and trailing dots in the delegation, the expected names and the domain', async () => {
    const result = await verifier.check('SHOUTY.co.zm.', [
      'NS2.swiftcloud.zm.',
      'ns1.SWIFTCLOUD.ZM',
    ]);
    expect(result).toMatchObject({ status: 'active', delegatedNameservers: OURS });
  });

  it('is active when the parent server also serves the child and answers authoritatively', async () => {
    const result = await verifier.check('hosted.co.zm', OURS);
    expect(result).toMatchObject({ status: 'active', delegatedNameservers: OURS });
    expect(servers.coZm1.queriesFor('hosted.co.zm').map((q) => q.reply)).toContain('answer');
    expect(servers.coZm2.queriesFor('hosted.co.zm').map((q) => q.reply)).toContain('referral');
  });

  it('looks up a glueless parent server by a walk of its own', async () => {
    const result = await verifier.check('uni.edu.zm', OURS);
    expect(result).toMatchObject({ status: 'active', parentZone: 'edu.zm' });
    expect(servers.coZm1.queriesFor('ns.edu-dns.co.zm')).toContainEqual(
      expect.objectContaining({ type: 'A', reply: 'answer' }),
    );
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const result = await verifier.check('business.mw', OURS);
    expect(result).toMatchObject({ status: 'active', parentZone: 'mw' });
    const transports = servers.mw.queriesFor('business.mw').map((q) => q.transport);
    expect(transports).toContain('udp');
    expect(transports).toContain('tcp');
  });

  it('uses the good parent server when another one is lame, and reports the lame one', async () => {
    const result = await verifier.check('school.org.zm', OURS);
    expect(result.status).toBe('active');
    expect(result.servers).toEqual([
      {
        server: 'ns1.org.zm',
        answer: { kind: 'error', message: expect.stringContaining('REFUSED') },
      },
      { server: 'ns2.org.zm', answer: { kind: 'delegated', nameservers: OURS } },
    ]);
    expect(servers.orgLame.queriesFor('school.org.zm').length).toBeGreaterThan(0);
  });

  it('throws NameserversUnreachable (503), promptly, when the parent never answers', async () => {
    const started = Date.now();
    const err = await verifier.check('shop.net.zm', OURS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameserversUnreachable);
    expect((err as NameserversUnreachable).status).toBe(503);
    expect((err as NameserversUnreachable).reason).toContain('net.zm');
    expect(servers.netSilent.queriesFor('shop.net.zm').length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10 * TIMEOUT_MS);
  });

  it('gives up on glueless delegations that need themselves to be found, without hanging', async () => {
    for (const domain of ['shop.loop.zm', 'shop.ping.zm']) {
      await expect(verifier.check(domain, OURS)).rejects.toBeInstanceOf(NameserversUnreachable);
    }
  });

  it('throws NameserversUnreachable when no root server answers or listens', async () => {
    const { verifier: stranded } = verifierFor([
      { host: '127.0.0.8', port },
      { host: '127.0.0.11', port },
    ]);
    const started = Date.now();
    await expect(stranded.check('ours.co.zm', OURS)).rejects.toBeInstanceOf(NameserversUnreachable);
    expect(Date.now() - started).toBeLessThan(10 * TIMEOUT_MS);
  });
});

import type { OptAnswer } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../src/dns/server/dns-server.js';
import { LocalZoneChanges } from './support/local-zone-changes.js';
import { query, tcpQuery, udpQuery, type Response } from './dns-server-client.js';
import { FakeZoneSource, NEGATIVE_TTL, exampleZone, makeZone } from './dns-server-fixtures.js';

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

const aa = (r: Response) => r.flag_aa;
const data = (r: Response) => (r.answers ?? []).map((a) => ('data' in a ? a.data : undefined));
const opt = (r: Response) => (r.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');

describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
  const ask = (packet: Parameters<typeof udpQuery>[1]) =>
    transport === 'udp' ? udpQuery(port, packet) : tcpQuery(port, packet);

  it('answers an A query authoritatively, with the id and question echoed', async () => {
    const q = query('example.co.zm', 'A', { id: 4242 });
    const r = await ask(q);
    expect(r.id).toBe(4242);
    expect(r.type).toBe('response');
    expect(r.rcode).toBe('NOERROR');
    expect(aa(r)).toBe(true);
    expect(r.flag_rd).toBe(true);
    expect(r.flag_ra).toBe(false);
    expect(r.questions).toEqual([{ name: 'example.co.zm', type: 'A', class: 'IN' }]);
    expect(r.answers).toEqual([
      expect.objectContaining({ name: 'example.co.zm', type: 'A', ttl: 300, data: '192.0.2.1' }),
    ]);
  });

  it('answers AAAA, MX (with the exchange address), TXT, SRV and CAA', async () => {
    expect(data(await ask(query('v6.example.co.zm', 'AAAA')))).toEqual(['2001:db8::1']);
    const mx = await ask(query('example.co.zm', 'MX'));
    expect(data(mx)).toEqual([{ preference: 10, exchange: 'mail.example.co.zm' }]);
    expect(mx.additionals).toEqual([
      expect.objectContaining({ name: 'mail.example.co.zm', data: '192.0.2.25' }),
    ]);
    expect(data(await ask(query('txt.example.co.zm', 'TXT')))).toEqual([
      [Buffer.from('hello'), Buffer.from('world')],
    ]);
    expect(data(await ask(query('_sip._tcp.example.co.zm', 'SRV')))).toEqual([
      { priority: 10, weight: 5, port: 5060, target: 'sip.example.co.zm' },
    ]);
    expect(data(await ask(query('example.co.zm', 'CAA')))).toEqual([
      expect.objectContaining({ flags: 0, tag: 'issue', value: 'letsencrypt.org' }),
    ]);
  });

  it('answers NXDOMAIN for a missing name, with the SOA at the negative TTL', async () => {
    const r = await ask(query('missing.example.co.zm', 'A'));
    expect(r.rcode).toBe('NXDOMAIN');
    expect(aa(r)).toBe(true);
    expect(r.answers).toEqual([]);
    expect(r.authorities).toEqual([
      expect.objectContaining({ name: 'example.co.zm', type: 'SOA', ttl: NEGATIVE_TTL }),
    ]);
  });

  it('answers NODATA (NOERROR, no answer, SOA) for a name without the type asked', async () => {
    const r = await ask(query('mail.example.co.zm', 'AAAA'));
    expect(r.rcode).toBe('NOERROR');
    expect(aa(r)).toBe(true);
    expect(r.answers).toEqual([]);
    expect(r.authorities).toEqual([expect.objectContaining({ type: 'SOA', ttl: NEGATIVE_TTL })]);
  });

  it('follows a CNAME chain within the zone', async () => {
    const r = await ask(query('alias.example.co.zm', 'A'));
    expect(r.rcode).toBe('NOERROR');
    expect((r.answers ?? []).map((a) => [a.name, a.type, 'data' in a ? a.data : null])).toEqual([
      ['alias.example.co.zm', 'CNAME', 'www.example.co.zm'],
      ['www.example.co.zm', 'CNAME', 'example.co.zm'],
      ['example.co.zm', 'A', '192.0.2.1'],
    ]);
  });

  it('stops at a CNAME leaving the zone, and says NXDOMAIN for a CNAME to a missing name', async () => {
    const out = await ask(query('out.example.co.zm', 'A'));
    expect(out.rcode).toBe('NOERROR');
    expect(data(out)).toEqual(['target.elsewhere.net']);
    const dangling = await ask(query('dangling.example.co.zm', 'A'));
    expect(dangling.rcode).toBe('NXDOMAIN');
    expect(data(dangling)).toEqual(['nothing.example.co.zm']);
  });

  it('synthesises wildcard answers owned by the name asked (RFC 4592)', async () => {
    const r = await ask(query('anything.apps.example.co.zm', 'A'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([
      expect.objectContaining({
        name: 'anything.apps.example.co.zm',
        type: 'A',
        data: '192.0.2.80',
      }),
    ]);
    const deeper = await ask(query('a.b.apps.example.co.zm', 'TXT'));
    expect(data(deeper)).toEqual([[Buffer.from('wild')]]);
    const nodata = await ask(query('x.apps.example.co.zm', 'MX'));
    expect(nodata.rcode).toBe('NOERROR');
    expect(nodata.answers).toEqual([]);
  });

  it('lets an empty non-terminal stop wildcard matching below it', async () => {
    // deep.apps exists only because host.deep.apps does, so *.apps no longer covers names under it.
    const under = await ask(query('other.deep.apps.example.co.zm', 'A'));
    expect(under.rcode).toBe('NXDOMAIN');
    const ent = await ask(query('deep.apps.example.co.zm', 'A'));
    expect(ent.rcode).toBe('NOERROR');
    expect(ent.answers).toEqual([]);
    expect(ent.authorities).toEqual([expect.objectContaining({ type: 'SOA' })]);
  });

  it('refers a delegated subdomain to its servers, with glue and without AA', async () => {
    const r = await ask(query('host.sub.example.co.zm', 'A'));
    expect(r.rcode).toBe('NOERROR');
    expect(aa(r)).toBe(false);
    expect(r.answers).toEqual([]);
    expect(data({ answers: r.authorities } as Response).sort()).toEqual([
      'ns.elsewhere.net',
      'ns1.sub.example.co.zm',
    ]);
    expect(r.authorities?.every((a) => a.name === 'sub.example.co.zm' && a.type === 'NS')).toBe(
      true,
    );
    expect(r.additionals?.filter((a) => a.type !== 'OPT')).toEqual([
      expect.objectContaining({ name: 'ns1.sub.example.co.zm', type: 'A', data: '192.0.2.53' }),
    ]);
  });

  it('refuses names in zones it does not serve, without AA', async () => {
    for (const name of ['example.com', 'co.zm', 'notexample.co.zm', '.']) {
      const r = await ask(query(name, 'A'));
      expect(r.rcode, name).toBe('REFUSED');
      expect(aa(r)).toBe(false);
      expect(r.answers).toEqual([]);
    }
  });

  it('matches names case-insensitively and keeps the question case in answers', async () => {
    const r = await ask(query('WwW.ExAmPlE.Co.Zm', 'A'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.questions?.[0]?.name).toBe('WwW.ExAmPlE.Co.Zm');
    expect(r.answers?.[0]).toEqual(
      expect.objectContaining({ name: 'WwW.ExAmPlE.Co.Zm', type: 'CNAME' }),
    );
    const wild = await ask(query('FOO.Apps.Example.CO.ZM', 'A'));
    expect(wild.answers?.[0]?.name).toBe('FOO.Apps.Example.CO.ZM');
  });

  it('answers ANY with a single RRset (RFC 8482)', async () => {
    const r = await ask(query('example.co.zm', 'ANY'));
    expect(r.rcode).toBe('NOERROR');
    expect(new Set(r.answers?.map((a) => a.type)).size).toBe(1);
    expect(r.answers?.length).toBeGreaterThan(0);
  });

  it('answers FORMERR to a query with two questions', async () => {
    const q = query('example.co.zm', 'A');
    q.questions!.push({ name: 'other.zm', type: 'A', class: 'IN' });
    const r = await ask(q);
    expect(r.rcode).toBe('FORMERR');
    expect(r.id).toBe(q.id);
  });

  it('answers NOTIMP to opcodes other than QUERY (UPDATE, NOTIFY)', async () => {
    for (const opcode of [5, 4]) {
      const r = await ask(query('example.co.zm', 'SOA', { flags: opcode << 11 }));
      expect(r.rcode).toBe('NOTIMP');
      expect(r.opcode).toBe(opcode === 5 ? 'UPDATE' : 'NOTIFY');
    }
  });

  it('refuses classes other than IN', async () => {
    const r = await ask(query('example.co.zm', 'TXT', { cls: 'CH' }));
    expect(r.rcode).toBe('REFUSED');
  });

  it('echoes an OPT with our payload size 1232 when the client sent one, and none otherwise', async () => {
    const withEdns = await ask(query('example.co.zm', 'A', { edns: { udpPayloadSize: 4096 } }));
    expect(opt(withEdns)).toEqual(
      expect.objectContaining({ udpPayloadSize: 1232, ednsVersion: 0 }),
    );
    const without = await ask(query('example.co.zm', 'A'));
    expect(opt(without)).toBeUndefined();
  });

  it('answers BADVERS to EDNS version 1', async () => {
    const r = await ask(
      query('example.co.zm', 'A', { edns: { udpPayloadSize: 1232, version: 1 } }),
    );
    // BADVERS is 16: 0 in the header, 1 in the OPT's extended RCODE (RFC 6891 §6.1.3).
    expect(r.rcode).toBe('NOERROR');
    expect(opt(r)?.extendedRcode).toBe(1);
    expect(r.answers).toEqual([]);
  });
});

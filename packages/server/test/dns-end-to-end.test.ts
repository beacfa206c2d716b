import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../src/dns/server/dns-server.js';
import { DatabaseZoneChanges } from '../src/dns/zone-changes.js';
import { query, udpQuery, type Response } from './dns-server-client.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { FakeNameserverCheck } from './support/dns-fakes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The whole path a customer relies on: a change through the HTTP API, announced through the
// database, reloaded by the DNS server and answered on the wire.

const OURS = ['ns1.swiftcloud.zm', 'ns2.swiftcloud.zm'];

let t: TestApp;
let check: FakeNameserverCheck;
let heard: DatabaseZoneChanges;
let dns: DnsServer;
let ada: SignedUpUser;
let bea: SignedUpUser;

beforeAll(async () => {
  check = new FakeNameserverCheck();
  t = await startTestApp({}, { dns: { check } });
  // The DNS server listens with a subscription of its own, as another instance would.
  heard = new DatabaseZoneChanges(t.database);
  dns = new DnsServer({ host: '127.0.0.1', port: 0, secondaries: [] }, t.services.zones, heard);
  await dns.start();
  ada = await signUp(t.api, 'Ada');
  bea = await signUp(t.api, 'Bea');
});

afterAll(async () => {
  await dns.stop();
  await heard.close();
  await t.close();
});

async function projectOf(user: SignedUpUser): Promise<string> {
  const res = await user.api.post('/v1/projects', { name: 'DNS' });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function addDomain(user: SignedUpUser, projectId: string, name: string): Promise<string> {
  const res = await user.api.post('/v1/domains', { project_id: projectId, name });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function ask(name: string, type: 'A' | 'SOA' | 'TXT'): Promise<Response> {
  return udpQuery(dns.port, query(name, type));
}

/** Asks until `accept` holds: the change travels asynchronously, so poll (bounded). */
async function askUntil(
  name: string,
  type: 'A' | 'SOA' | 'TXT',
  accept: (r: Response) => boolean,
): Promise<Response> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const r = await ask(name, type);
    if (accept(r)) return r;
    if (Date.now() > deadline)
      throw new Error(`${name} ${type}: still ${JSON.stringify(r.answers)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The answers' data and TTLs (OPT pseudo-records carry neither; answers never hold one). */
const answers = (r: Response) => (r.answers ?? []) as unknown as { data: unknown; ttl: number }[];
const serialOf = (r: Response) => (answers(r)[0]?.data as { serial: number } | undefined)?.serial;
const addresses = (r: Response) =>
  answers(r)
    .map((a) => a.data)
    .sort();

describe('a domain added through the API', () => {
  it('is served at once with its SOA and the platform nameservers', async () => {
    const projectId = await projectOf(ada);
    await addDomain(ada, projectId, 'served.co.zm');
    const soa = await askUntil('served.co.zm', 'SOA', (r) => r.rcode === 'NOERROR');
    expect(soa.flags! & 0x0400).toBeTruthy(); // AA
    expect(soa.answers?.[0]).toMatchObject({
      type: 'SOA',
      data: { mname: 'ns1.swiftcloud.zm', rname: 'hostmaster.swiftcloud.zm' },
    });
    const ns = await udpQuery(dns.port, query('served.co.zm', 'NS'));
    expect(addresses(ns)).toEqual(OURS);
  });

  it('serves records as they are added, changed and deleted, raising the serial each time', async () => {
    const projectId = await projectOf(ada);
    const domainId = await addDomain(ada, projectId, 'records.co.zm');
    const before = serialOf(await askUntil('records.co.zm', 'SOA', (r) => r.rcode === 'NOERROR'))!;

    const added = await ada.api.post(`/v1/domains/${domainId}/records`, {
      name: 'www',
      type: 'A',
      content: '192.0.2.10',
      ttl: 300,
    });
    expect(added.status).toBe(201);
    const www = await askUntil('www.records.co.zm', 'A', (r) => r.rcode === 'NOERROR');
    expect(addresses(www)).toEqual(['192.0.2.10']);
    expect(answers(www)[0]?.ttl).toBe(300);
    const afterAdd = serialOf(await ask('records.co.zm', 'SOA'))!;
    expect(afterAdd).toBeGreaterThan(before);

    const changed = await ada.api.patch(`/v1/domains/${domainId}/records/${added.body.data.id}`, {
      content: '192.0.2.20',
    });
    expect(changed.status).toBe(200);
    await askUntil('www.records.co.zm', 'A', (r) => addresses(r).join() === '192.0.2.20');
    const afterChange = serialOf(await ask('records.co.zm', 'SOA'))!;
    expect(afterChange).toBeGreaterThan(afterAdd);

    const deleted = await ada.api.delete(`/v1/domains/${domainId}/records/${added.body.data.id}`);
    expect(deleted.status).toBe(204);
    const gone = await askUntil('www.records.co.zm', 'A', (r) => r.rcode === 'NXDOMAIN');
    expect(gone.authorities?.[0]?.type).toBe('SOA');
  });

  it('stops being served (REFUSED) once the domain is deleted', async () => {
    const projectId = await projectOf(ada);
    const domainId = await addDomain(ada, projectId, 'deleted.co.zm');
    await askUntil('deleted.co.zm', 'SOA', (r) => r.rcode === 'NOERROR');
    expect((await ada.api.delete(`/v1/domains/${domainId}`)).status).toBe(204);
    await askUntil('deleted.co.zm', 'SOA', (r) => r.rcode === 'REFUSED');
  });
});

describe('a name claimed in two projects', () => {
  it("serves the earliest claim until the other verifies first, then serves the winner's records", async () => {
    const adaProject = await projectOf(ada);
    const beaProject = await projectOf(bea);
    const adaDomain = await addDomain(ada, adaProject, 'contested.co.zm');
    t.clock.advance(1_000); // Bea's claim comes a second later
    const beaDomain = await addDomain(bea, beaProject, 'contested.co.zm');
    await ada.api.post(`/v1/domains/${adaDomain}/records`, {
      name: '@',
      type: 'TXT',
      content: 'owner=ada',
    });
    await bea.api.post(`/v1/domains/${beaDomain}/records`, {
      name: '@',
      type: 'TXT',
      content: 'owner=bea',
    });
    const txt = (r: Response) =>
      answers(r)
        .map((a) => (a.data as Buffer[]).join(''))
        .join();
    await askUntil('contested.co.zm', 'TXT', (r) => txt(r) === 'owner=ada');

    check.answer('contested.co.zm', { status: 'active', delegatedNameservers: OURS });
    const verified = await bea.api.post(`/v1/domains/${beaDomain}/verify`);
    expect(verified.status).toBe(200);
    expect(verified.body.data.status).toBe('active');
    await askUntil('contested.co.zm', 'TXT', (r) => txt(r) === 'owner=bea');
  });
});

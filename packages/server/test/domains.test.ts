import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signUp, type SignedUpUser } from './support/client.js';
import { FakeNameserverCheck, RecordingZoneChanges } from './support/dns-fakes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = '3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c';
const OUR_NAMESERVERS = ['ns1.swiftcloud.zm', 'ns2.swiftcloud.zm'];

let t: TestApp;
let check: FakeNameserverCheck;
let changes: RecordingZoneChanges;
let ada: SignedUpUser;
let bea: SignedUpUser;
let viewer: SignedUpUser;
let adaProject: string;
let beaProject: string;
let seq = 0;

beforeAll(async () => {
  check = new FakeNameserverCheck();
  changes = new RecordingZoneChanges();
  t = await startTestApp({}, { dns: { check, changes } });
  ada = await signUp(t.api, 'Ada');
  bea = await signUp(t.api, 'Bea');
  viewer = await signUp(t.api, 'Vic');
  adaProject = await createProject(ada);
  beaProject = await createProject(bea);
  const added = await ada.api.post(`/v1/projects/${adaProject}/members`, {
    email: viewer.email,
    role: 'viewer',
  });
  expect(added.status).toBe(201);
});
afterAll(() => t.close());

beforeEach(() => {
  changes.announced.length = 0;
});

function nowInApi(): string {
  return t.clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A registrable name no other test uses. */
function freshName(): string {
  seq += 1;
  return `shop${seq}-${Math.random().toString(36).slice(2, 7)}.co.zm`;
}

async function createProject(user: SignedUpUser): Promise<string> {
  const res = await user.api.post('/v1/projects', { name: 'DNS project' });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function addDomain(user: SignedUpUser, projectId: string, name = freshName()) {
  const res = await user.api.post('/v1/domains', { project_id: projectId, name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

function expectValidationError(res: { status: number; body: any }, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

async function zoneFile(user: SignedUpUser, domainId: string): Promise<string> {
  const res = await user.api.get(`/v1/domains/${domainId}/zone`);
  expect(res.status).toBe(200);
  return res.body as string;
}

function serialOf(zone: string): number {
  const m = /\tSOA\t\S+ \S+ (\d+) /.exec(zone);
  expect(m, zone).not.toBeNull();
  return Number(m![1]);
}

describe('POST /v1/domains', () => {
  it('adds a pending domain with the reference fields and the nameservers to set', async () => {
    t.clock.advance(1234);
    const name = freshName();
    const res = await ada.api.post('/v1/domains', { project_id: adaProject, name });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.stringMatching(UUID),
        projectId: adaProject,
        name,
        status: 'pending',
        nameservers: OUR_NAMESERVERS,
        delegatedNameservers: [],
        lastCheckedAt: null,
        createdAt: nowInApi(),
      },
    });
    expect(changes.announced).toEqual([name]);
  });

  it('normalises case, surrounding spaces and the trailing dot', async () => {
    const name = freshName();
    const domain = await addDomain(ada, adaProject, `  ${name.toUpperCase()}. `);
    expect(domain.name).toBe(name);
  });

  it('stores an internationalised name in punycode', async () => {
    // Python's idna codec agrees: 'bücher-lusaka'.encode('idna').
    const domain = await addDomain(ada, adaProject, 'Bücher-Lusaka.co.zm');
    expect(domain.name).toBe('xn--bcher-lusaka-dlb.co.zm');
  });

  it.each(['co.zm', 'zm', 'com', 'github.io'])(
    'refuses %s, a public suffix, on field name',
    async (name) => {
      const res = await ada.api.post('/v1/domains', { project_id: adaProject, name });
      expectValidationError(res, 'name');
      expect(res.body.error.message).toContain('public suffix');
    },
  );

  it('refuses a name under no public suffix on field name', async () => {
    const res = await ada.api.post('/v1/domains', {
      project_id: adaProject,
      name: 'example.notarealtld',
    });
    expectValidationError(res, 'name');
    expect(res.body.error.message).toContain('not under a known public suffix');
  });

  it('refuses a subdomain of a registrable name, naming the domain to add instead', async () => {
    const res = await ada.api.post('/v1/domains', {
      project_id: adaProject,
      name: 'shop.example.co.zm',
    });
    expectValidationError(res, 'name');
    expect(res.body.error.message).toContain('add example.co.zm');
  });

  it.each([
    ['an underscore', 'ex_ample.co.zm'],
    ['a leading hyphen', '-example.co.zm'],
    ['a 64-character label', `${'a'.repeat(64)}.co.zm`],
    ['an empty label', 'example..co.zm'],
    ['a space', 'my shop.co.zm'],
    ['an IP address', '192.0.2.1'],
    ['invalid punycode', 'xn--zz.co.zm'],
  ])('refuses a name with %s on field name', async (_rule, name) => {
    expectValidationError(
      await ada.api.post('/v1/domains', { project_id: adaProject, name }),
      'name',
    );
  });

  it("refuses the domain of the platform's own nameservers", async () => {
    const res = await ada.api.post('/v1/domains', {
      project_id: adaProject,
      name: 'swiftcloud.zm',
    });
    expectValidationError(res, 'name');
  });

  it('refuses a body without project_id, and unknown fields, naming them', async () => {
    expectValidationError(await ada.api.post('/v1/domains', { name: freshName() }), 'project_id');
    expectValidationError(
      await ada.api.post('/v1/domains', { project_id: adaProject, name: freshName(), ttl: 5 }),
      'ttl',
    );
  });

  it('refuses the same name twice in one project with CONFLICT, whatever its case', async () => {
    const name = freshName();
    await addDomain(ada, adaProject, name);
    const res = await ada.api.post('/v1/domains', {
      project_id: adaProject,
      name: name.toUpperCase(),
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.details).toEqual([{ field: 'name', message: expect.any(String) }]);
  });

  it('lets two projects claim the same name while it is pending', async () => {
    const name = freshName();
    const first = await addDomain(ada, adaProject, name);
    const second = await addDomain(bea, beaProject, name);
    expect(first.id).not.toBe(second.id);
    expect([first.status, second.status]).toEqual(['pending', 'pending']);
  });

  it('answers 403 to a viewer and 404 to a non-member, adding nothing', async () => {
    const name = freshName();
    const asViewer = await viewer.api.post('/v1/domains', { project_id: adaProject, name });
    expect(asViewer.status).toBe(403);
    expect(asViewer.body.error.code).toBe('FORBIDDEN');
    const asStranger = await bea.api.post('/v1/domains', { project_id: adaProject, name });
    expect(asStranger.status).toBe(404);
    const list = await ada.api.get(`/v1/domains?project_id=${adaProject}&per_page=100`);
    expect(list.body.data.map((d: { name: string }) => d.name)).not.toContain(name);
  });

  it('answers 401 without credentials', async () => {
    const res = await t.api.post('/v1/domains', { project_id: adaProject, name: freshName() });
    expect(res.status).toBe(401);
  });
});

describe('GET /v1/domains', () => {
  let project: string;
  const names: string[] = [];

  beforeAll(async () => {
    project = await createProject(ada);
    for (let i = 0; i < 3; i++) names.push((await addDomain(ada, project)).name);
    names.sort();
  });

  it("lists only the project's domains, by name, with the list envelope", async () => {
    const res = await ada.api.get(`/v1/domains?project_id=${project}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { name: string }) => d.name)).toEqual(names);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 3 });
  });

  it('pages with page and per_page', async () => {
    const res = await ada.api.get(`/v1/domains?project_id=${project}&page=2&per_page=2`);
    expect(res.body.data.map((d: { name: string }) => d.name)).toEqual([names[2]]);
    expect(res.body.meta).toEqual({ page: 2, perPage: 2, total: 3 });
  });

  it('requires project_id', async () => {
    expectValidationError(await ada.api.get('/v1/domains'), 'project_id');
  });

  it('lets a viewer read, and answers 404 to a non-member', async () => {
    const viewerList = await viewer.api.get(`/v1/domains?project_id=${adaProject}`);
    expect(viewerList.status).toBe(200);
    expect((await bea.api.get(`/v1/domains?project_id=${project}`)).status).toBe(404);
  });
});

describe('GET and DELETE /v1/domains/{id}', () => {
  it('gets a domain; 404 for a non-member and for an unknown id', async () => {
    const domain = await addDomain(ada, adaProject);
    const res = await ada.api.get(`/v1/domains/${domain.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(domain);
    expect((await viewer.api.get(`/v1/domains/${domain.id}`)).status).toBe(200);
    const stranger = await bea.api.get(`/v1/domains/${domain.id}`);
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.message).toBe('Domain not found');
    expect((await ada.api.get(`/v1/domains/${MISSING_ID}`)).status).toBe(404);
  });

  it('deletes a domain with its records (204), and announces the change', async () => {
    const domain = await addDomain(ada, adaProject);
    const rec = await ada.api.post(`/v1/domains/${domain.id}/records`, {
      name: 'www',
      type: 'A',
      content: '192.0.2.10',
    });
    expect(rec.status).toBe(201);
    changes.announced.length = 0;
    const res = await ada.api.delete(`/v1/domains/${domain.id}`);
    expect(res.status).toBe(204);
    expect(changes.announced).toEqual([domain.name]);
    expect((await ada.api.get(`/v1/domains/${domain.id}`)).status).toBe(404);
    const left = await t.database.db
      .selectFrom('dns_records')
      .select('id')
      .where('domain_id', '=', domain.id)
      .execute();
    expect(left).toEqual([]);
  });

  it('answers 403 to a viewer deleting and 404 to a non-member, keeping the domain', async () => {
    const domain = await addDomain(ada, adaProject);
    expect((await viewer.api.delete(`/v1/domains/${domain.id}`)).status).toBe(403);
    expect((await bea.api.delete(`/v1/domains/${domain.id}`)).status).toBe(404);
    expect((await ada.api.get(`/v1/domains/${domain.id}`)).status).toBe(200);
  });
});

describe('domains as project resources', () => {
  it('counts domains in resourceCount and keeps a project with a domain from deletion', async () => {
    const project = await createProject(ada);
    const domain = await addDomain(ada, project);
    const shown = await ada.api.get(`/v1/projects/${project}`);
    expect(shown.body.data.resourceCount).toBe(1);
    const refused = await ada.api.delete(`/v1/projects/${project}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('1 resource');
    expect((await ada.api.delete(`/v1/domains/${domain.id}`)).status).toBe(204);
    expect((await ada.api.delete(`/v1/projects/${project}`)).status).toBe(204);
  });
});

describe('POST /v1/domains/{id}/verify', () => {
  it('stores a pending outcome and the time of the check', async () => {
    const domain = await addDomain(ada, adaProject);
    t.clock.advance(60_000);
    const res = await ada.api.post(`/v1/domains/${domain.id}/verify`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'pending',
      delegatedNameservers: [],
      lastCheckedAt: nowInApi(),
    });
    expect(check.asked.at(-1)).toEqual({ domain: domain.name, expected: OUR_NAMESERVERS });
  });

  it('shows failed with the nameservers the parent delegates to', async () => {
    const domain = await addDomain(ada, adaProject);
    check.answer(domain.name, {
      status: 'failed',
      delegatedNameservers: ['ns1.elsewhere.net', 'ns1.swiftcloud.zm'],
    });
    const res = await ada.api.post(`/v1/domains/${domain.id}/verify`);
    expect(res.body.data).toMatchObject({
      status: 'failed',
      delegatedNameservers: ['ns1.elsewhere.net', 'ns1.swiftcloud.zm'],
    });
  });

  it('lets the first project to verify win: the other claim fails, and cannot verify or be re-added', async () => {
    const name = freshName();
    const adaClaim = await addDomain(ada, adaProject, name);
    const beaClaim = await addDomain(bea, beaProject, name);
    check.answer(name, { status: 'active', delegatedNameservers: OUR_NAMESERVERS });
    changes.announced.length = 0;

    const won = await bea.api.post(`/v1/domains/${beaClaim.id}/verify`);
    expect(won.status).toBe(200);
    expect(won.body.data).toMatchObject({
      status: 'active',
      delegatedNameservers: OUR_NAMESERVERS,
    });
    expect(changes.announced).toEqual([name]);
    expect((await ada.api.get(`/v1/domains/${adaClaim.id}`)).body.data.status).toBe('failed');

    const lost = await ada.api.post(`/v1/domains/${adaClaim.id}/verify`);
    expect(lost.status).toBe(409);
    expect(lost.body.error.code).toBe('CONFLICT');

    const third = await createProject(ada);
    const again = await ada.api.post('/v1/domains', { project_id: third, name });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual([{ field: 'name', message: expect.any(String) }]);
  });

  it('answers 403 to a viewer and 404 to a non-member, asking nobody', async () => {
    const domain = await addDomain(ada, adaProject);
    const asked = check.asked.length;
    expect((await viewer.api.post(`/v1/domains/${domain.id}/verify`)).status).toBe(403);
    expect((await bea.api.post(`/v1/domains/${domain.id}/verify`)).status).toBe(404);
    expect(check.asked.length).toBe(asked);
  });

  it('answers the check’s own error when the parent cannot be asked, changing nothing', async () => {
    const domain = await addDomain(ada, adaProject);
    const { Unavailable } = await import('../src/platform/errors.js');
    check.answer(domain.name, new Unavailable('Could not reach the parent zone'));
    const res = await ada.api.post(`/v1/domains/${domain.id}/verify`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('RESOURCE_UNAVAILABLE');
    expect((await ada.api.get(`/v1/domains/${domain.id}`)).body.data.lastCheckedAt).toBeNull();
  });
});

describe('GET /v1/domains/{id}/zone', () => {
  it('exports an RFC 1035 zone file with $ORIGIN, SOA, NS and every record', async () => {
    const domain = await addDomain(ada, adaProject);
    const add = (body: Record<string, unknown>) =>
      ada.api.post(`/v1/domains/${domain.id}/records`, body);
    expect((await add({ name: '@', type: 'A', content: '192.0.2.1', ttl: 300 })).status).toBe(201);
    expect((await add({ name: 'www', type: 'CNAME', content: '@' })).status).toBe(201);
    expect(
      (await add({ name: '@', type: 'MX', content: 'mail.example.net', priority: 10 })).status,
    ).toBe(201);
    expect((await add({ name: '@', type: 'TXT', content: 'v=spf1 "quoted" -all' })).status).toBe(
      201,
    );
    expect(
      (
        await add({
          name: '_sip._tcp',
          type: 'SRV',
          content: '5 5060 sip.example.net',
          priority: 1,
        })
      ).status,
    ).toBe(201);
    expect(
      (await add({ name: '@', type: 'CAA', content: '0 issue "letsencrypt.org"' })).status,
    ).toBe(201);
    expect((await add({ name: 'dev', type: 'NS', content: 'ns1.other.net' })).status).toBe(201);
    expect((await add({ name: 'v6', type: 'AAAA', content: '2001:DB8::0001' })).status).toBe(201);

    const res = await ada.api.get(`/v1/domains/${domain.id}/zone`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const serial = serialOf(res.body);
    const lines = (res.body as string).split('\n').filter((l) => l && !l.startsWith(';'));
    expect(lines).toEqual([
      `$ORIGIN ${domain.name}.`,
      `@\t3600\tIN\tSOA\tns1.swiftcloud.zm. hostmaster.swiftcloud.zm. ${serial} 3600 600 1209600 300`,
      '@\t3600\tIN\tNS\tns1.swiftcloud.zm.',
      '@\t3600\tIN\tNS\tns2.swiftcloud.zm.',
      '@\t300\tIN\tA\t192.0.2.1',
      '@\t3600\tIN\tCAA\t0 issue "letsencrypt.org"',
      '@\t3600\tIN\tMX\t10 mail.example.net.',
      '@\t3600\tIN\tTXT\t"v=spf1 \\"quoted\\" -all"',
      '_sip._tcp\t3600\tIN\tSRV\t1 5 5060 sip.example.net.',
      'dev\t3600\tIN\tNS\tns1.other.net.',
      'v6\t3600\tIN\tAAAA\t2001:db8::1',
      `www\t3600\tIN\tCNAME\t${domain.name}.`,
    ]);
  });

  it('splits long TXT content into quoted strings of at most 255 bytes', async () => {
    const domain = await addDomain(ada, adaProject);
    const text = 'k'.repeat(600);
    const res = await ada.api.post(`/v1/domains/${domain.id}/records`, {
      name: 'long',
      type: 'TXT',
      content: text,
    });
    expect(res.status).toBe(201);
    expect(res.body.data.content).toBe(text);
    const zone = await zoneFile(ada, domain.id);
    expect(zone).toContain(
      `long\t3600\tIN\tTXT\t"${'k'.repeat(255)}" "${'k'.repeat(255)}" "${'k'.repeat(90)}"`,
    );
  });

  it('raises the SOA serial on every change: add, change, delete, verify', async () => {
    const domain = await addDomain(ada, adaProject);
    const serials = [serialOf(await zoneFile(ada, domain.id))];
    const rec = await ada.api.post(`/v1/domains/${domain.id}/records`, {
      name: 'a',
      type: 'A',
      content: '192.0.2.1',
    });
    serials.push(serialOf(await zoneFile(ada, domain.id)));
    await ada.api.patch(`/v1/domains/${domain.id}/records/${rec.body.data.id}`, {
      content: '192.0.2.2',
    });
    serials.push(serialOf(await zoneFile(ada, domain.id)));
    await ada.api.delete(`/v1/domains/${domain.id}/records/${rec.body.data.id}`);
    serials.push(serialOf(await zoneFile(ada, domain.id)));
    check.answer(domain.name, { status: 'active', delegatedNameservers: OUR_NAMESERVERS });
    await ada.api.post(`/v1/domains/${domain.id}/verify`);
    serials.push(serialOf(await zoneFile(ada, domain.id)));
    for (let i = 1; i < serials.length; i++) expect(serials[i]).toBeGreaterThan(serials[i - 1]!);
  });

  it('starts a new domain at the Unix time, so a name added again never goes back', async () => {
    const domain = await addDomain(ada, adaProject);
    const serial = serialOf(await zoneFile(ada, domain.id));
    expect(serial).toBeGreaterThanOrEqual(Math.floor(t.clock.now().getTime() / 1000));
    expect(serial).toBeLessThan(2 ** 32);
  });

  it('lets a viewer export, and answers 404 to a non-member', async () => {
    const domain = await addDomain(ada, adaProject);
    expect((await viewer.api.get(`/v1/domains/${domain.id}/zone`)).status).toBe(200);
    expect((await bea.api.get(`/v1/domains/${domain.id}/zone`)).status).toBe(404);
  });
});

describe('the ZoneSource (what the DNS server serves)', () => {
  it('builds the zone of a domain in dns-packet shapes, with SOA and apex NS first', async () => {
    const domain = await addDomain(ada, adaProject);
    const add = (body: Record<string, unknown>) =>
      t.services.records.create(principalFor(ada), domain.id, body as never);
    await add({ name: 'mail', type: 'A', content: '192.0.2.25' });
    await add({ name: '@', type: 'MX', content: 'mail.' + domain.name + '.', priority: 10 });
    await add({ name: '_xmpp._tcp', type: 'SRV', content: '0 5269 xmpp.example.net', priority: 5 });
    await add({ name: '@', type: 'CAA', content: '128 issuewild ";"' });
    await add({ name: '@', type: 'TXT', content: 'é'.repeat(200) });

    const zone = await t.services.zones.load(domain.name);
    expect(zone).toBeDefined();
    const serial = zone!.serial;
    expect(zone!.name).toBe(domain.name);
    expect(zone!.records.slice(0, 3)).toEqual([
      {
        name: domain.name,
        type: 'SOA',
        ttl: 3600,
        data: {
          mname: 'ns1.swiftcloud.zm',
          rname: 'hostmaster.swiftcloud.zm',
          serial,
          refresh: 3600,
          retry: 600,
          expire: 1209600,
          minimum: 300,
        },
      },
      { name: domain.name, type: 'NS', ttl: 3600, data: 'ns1.swiftcloud.zm' },
      { name: domain.name, type: 'NS', ttl: 3600, data: 'ns2.swiftcloud.zm' },
    ]);
    expect(zone!.records.slice(3)).toEqual(
      expect.arrayContaining([
        { name: `mail.${domain.name}`, type: 'A', ttl: 3600, data: '192.0.2.25' },
        {
          name: domain.name,
          type: 'MX',
          ttl: 3600,
          data: { preference: 10, exchange: `mail.${domain.name}` },
        },
        {
          name: `_xmpp._tcp.${domain.name}`,
          type: 'SRV',
          ttl: 3600,
          data: { priority: 5, weight: 0, port: 5269, target: 'xmpp.example.net' },
        },
        {
          name: domain.name,
          type: 'CAA',
          ttl: 3600,
          data: { flags: 128, tag: 'issuewild', value: ';' },
        },
        // 200 two-byte characters: 127 whole ones fit in 255 bytes.
        { name: domain.name, type: 'TXT', ttl: 3600, data: ['é'.repeat(127), 'é'.repeat(73)] },
      ]),
    );
    expect(zone!.records).toHaveLength(8);
    expect((await t.services.zones.loadAll()).map((z) => z.name)).toContain(domain.name);
  });

  it('serves the earliest pending claim, then the active one; failed claims never', async () => {
    const name = freshName();
    const first = await addDomain(ada, adaProject, name);
    t.clock.advance(1000);
    const second = await addDomain(bea, beaProject, name);
    await ada.api.post(`/v1/domains/${first.id}/records`, {
      name: 'who',
      type: 'TXT',
      content: 'ada',
    });
    await bea.api.post(`/v1/domains/${second.id}/records`, {
      name: 'who',
      type: 'TXT',
      content: 'bea',
    });
    const whoTxt = async () =>
      (await t.services.zones.load(name))?.records.find((r) => r.name === `who.${name}`)?.data;
    expect(await whoTxt()).toEqual(['ada']);
    const before = (await t.services.zones.load(name))!.serial;

    check.answer(name, { status: 'active', delegatedNameservers: OUR_NAMESERVERS });
    expect((await bea.api.post(`/v1/domains/${second.id}/verify`)).status).toBe(200);
    expect(await whoTxt()).toEqual(['bea']);
    // The served zone changed claims; its serial still rose.
    expect((await t.services.zones.load(name))!.serial).toBeGreaterThan(before);

    const all = await t.services.zones.loadAll();
    expect(all.filter((z) => z.name === name)).toHaveLength(1);

    expect((await bea.api.delete(`/v1/domains/${second.id}`)).status).toBe(204);
    // Only Ada's failed claim is left: the name is no longer served.
    expect(await t.services.zones.load(name)).toBeUndefined();
  });
});

function principalFor(user: SignedUpUser) {
  return {
    via: 'session' as const,
    user: {
      id: user.id,
      email: user.email,
      name: 'Ada',
      isAdmin: false,
      createdAt: new Date(),
    },
    sessionId: MISSING_ID,
    expiresAt: new Date(Date.now() + 3_600_000),
    csrfToken: '',
    fromCookie: false,
  };
}

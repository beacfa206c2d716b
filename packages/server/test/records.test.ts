import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUpUser } from './support/client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = '3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c';

let t: TestApp;
let ada: SignedUpUser;
let bea: SignedUpUser;
let viewer: SignedUpUser;
let project: string;
/** The domain most tests add records to. */
let zone: { id: string; name: string };
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.api, 'Ada');
  bea = await signUp(t.api, 'Bea');
  viewer = await signUp(t.api, 'Vic');
  const p = await ada.api.post('/v1/projects', { name: 'Records' });
  project = p.body.data.id;
  await ada.api.post(`/v1/projects/${project}/members`, { email: viewer.email, role: 'viewer' });
  zone = await addDomain();
});
afterAll(() => t.close());

async function addDomain(): Promise<{ id: string; name: string }> {
  seq += 1;
  const res = await ada.api.post('/v1/domains', {
    project_id: project,
    name: `records${seq}-${Math.random().toString(36).slice(2, 7)}.co.zm`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

function post(body: Record<string, unknown>, domainId = zone.id, user = ada) {
  return user.api.post(`/v1/domains/${domainId}/records`, body);
}

async function create(body: Record<string, unknown>, domainId = zone.id) {
  const res = await post(body, domainId);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** A name in the shared zone that no other test uses. */
function fresh(prefix = 'n'): string {
  seq += 1;
  return `${prefix}${seq}`;
}

function expectRefusal(res: { status: number; body: any }, field: string, rule?: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  if (rule) expect(res.body.error.message).toMatch(rule);
}

async function countRecords(domainId = zone.id): Promise<number> {
  const res = await ada.api.get(`/v1/domains/${domainId}/records`);
  return res.body.meta.total;
}

describe('POST /v1/domains/{id}/records', () => {
  it('adds a record with exactly the reference fields', async () => {
    const res = await post({
      name: '@',
      type: 'A',
      content: '192.168.1.1',
      ttl: 3600,
      priority: null,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.stringMatching(UUID),
        name: '@',
        type: 'A',
        content: '192.168.1.1',
        ttl: 3600,
        priority: null,
        createdAt: expect.stringMatching(/Z$/),
      },
    });
  });

  it('defaults ttl to 3600 and priority to null', async () => {
    const rec = await create({ name: fresh(), type: 'A', content: '192.0.2.1' });
    expect(rec.ttl).toBe(3600);
    expect(rec.priority).toBeNull();
  });

  it('stores names relative and lowercase: a fully qualified name in the zone, or its apex', async () => {
    const name = fresh('Host');
    const fq = await create({
      name: `${name}.${zone.name.toUpperCase()}.`,
      type: 'A',
      content: '192.0.2.2',
    });
    expect(fq.name).toBe(name.toLowerCase());
    const apex = await create({ name: `${zone.name}.`, type: 'TXT', content: fresh('apex') });
    expect(apex.name).toBe('@');
  });

  it('stores internationalised labels of a name in punycode', async () => {
    const rec = await create({ name: 'bücher', type: 'A', content: '192.0.2.3' });
    expect(rec.name).toBe('xn--bcher-kva');
  });

  it('accepts a wildcard as the whole leftmost label', async () => {
    expect((await create({ name: '*.dev', type: 'A', content: '192.0.2.4' })).name).toBe('*.dev');
    expect((await create({ name: '*', type: 'A', content: '192.0.2.4' })).name).toBe('*');
  });

  it('normalises content: IPv6 canonical, host names lowercase without the trailing dot, @ as the domain', async () => {
    expect(
      (await create({ name: fresh(), type: 'AAAA', content: '2001:DB8:0::0001' })).content,
    ).toBe('2001:db8::1');
    expect(
      (await create({ name: fresh(), type: 'CNAME', content: 'Target.Example.NET.' })).content,
    ).toBe('target.example.net');
    expect((await create({ name: fresh(), type: 'CNAME', content: '@' })).content).toBe(zone.name);
    expect(
      (await create({ name: fresh(), type: 'CAA', content: '0 ISSUE "letsencrypt.org"' })).content,
    ).toBe('0 issue "letsencrypt.org"');
    expect(
      (
        await create({
          name: `_sip._tcp.${fresh()}`,
          type: 'SRV',
          content: ' 5   5060  SIP.example.net. ',
          priority: 10,
        })
      ).content,
    ).toBe('5 5060 sip.example.net');
  });

  it('keeps TXT content exactly as sent, spaces included, up to 4096 bytes', async () => {
    const text = ` v=spf1 ${'x'.repeat(4000)} `;
    const rec = await create({ name: fresh(), type: 'TXT', content: text });
    expect(rec.content).toBe(text);
  });

  it('accepts a CNAME target with underscores (DKIM selectors)', async () => {
    const rec = await create({
      name: `s1._domainkey.${fresh()}`,
      type: 'CNAME',
      content: 's1.domainkey.u123.wl.sendgrid.net',
    });
    expect(rec.type).toBe('CNAME');
  });

  it('accepts an NS record delegating a subdomain', async () => {
    const rec = await create({ name: fresh('sub'), type: 'NS', content: 'ns1.other-dns.net' });
    expect(rec.type).toBe('NS');
  });
});

describe('record validation: each rule refuses on the field it names', () => {
  const longName = () =>
    `${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(50)].join('.')}`;
  const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
    ['type SOA (the platform’s)', () => ({ name: '@', type: 'SOA', content: 'x' }), 'type', /SOA/],
    ['an unknown type', () => ({ name: 'x', type: 'PTR', content: 'x' }), 'type', /type must be/],
    [
      'NS at the apex (the platform’s)',
      () => ({ name: '@', type: 'NS', content: 'ns.example.net' }),
      'name',
      /apex NS/,
    ],
    [
      'CNAME at the apex',
      () => ({ name: '@', type: 'CNAME', content: 'example.net' }),
      'name',
      /apex/,
    ],
    [
      'a label longer than 63 characters',
      () => ({ name: 'a'.repeat(64), type: 'A', content: '192.0.2.1' }),
      'name',
      /1–63/,
    ],
    [
      'an empty label',
      () => ({ name: 'a..b', type: 'A', content: '192.0.2.1' }),
      'name',
      /empty label/,
    ],
    [
      'a name of 255 octets or more',
      () => ({ name: longName(), type: 'A', content: '192.0.2.1' }),
      'name',
      /255 octets/,
    ],
    [
      'a wildcard inside a label',
      () => ({ name: 'a*.dev', type: 'A', content: '192.0.2.1' }),
      'name',
      /wildcard/,
    ],
    [
      'a wildcard not leftmost',
      () => ({ name: 'dev.*', type: 'A', content: '192.0.2.1' }),
      'name',
      /wildcard/,
    ],
    [
      'characters other than letters, digits, - and _',
      () => ({ name: 'we!b', type: 'A', content: '192.0.2.1' }),
      'name',
      /letters, digits/,
    ],
    [
      'a fully qualified name outside the zone',
      () => ({ name: 'www.example.org.', type: 'A', content: '192.0.2.1' }),
      'name',
      /outside the domain/,
    ],
    [
      'a relative name ending with the domain',
      () => ({ name: `www.${zone.name}`, type: 'A', content: '192.0.2.1' }),
      'name',
      /ends with the domain name/,
    ],
    [
      'an NS wildcard',
      () => ({ name: '*.dev', type: 'NS', content: 'ns.example.net' }),
      'name',
      /wildcard/,
    ],
    [
      'an A record without an IPv4 address',
      () => ({ name: 'x', type: 'A', content: '2001:db8::1' }),
      'content',
      /IPv4/,
    ],
    [
      'an A record with an octet past 255',
      () => ({ name: 'x', type: 'A', content: '256.1.1.1' }),
      'content',
      /IPv4/,
    ],
    [
      'an AAAA record without an IPv6 address',
      () => ({ name: 'x', type: 'AAAA', content: '192.0.2.1' }),
      'content',
      /IPv6/,
    ],
    [
      'a CNAME target that is an IP address',
      () => ({ name: 'x', type: 'CNAME', content: '192.0.2.1' }),
      'content',
      /not an IP address/,
    ],
    [
      'a CNAME target with an empty label',
      () => ({ name: 'x', type: 'CNAME', content: 'bad..example.net' }),
      'content',
      /empty label/,
    ],
    [
      'an MX host with an underscore',
      () => ({ name: 'x', type: 'MX', content: 'mail_1.example.net', priority: 10 }),
      'content',
      /letters, digits/,
    ],
    [
      'an MX host that is not fully qualified',
      () => ({ name: 'x', type: 'MX', content: 'mail', priority: 10 }),
      'content',
      /fully qualified/,
    ],
    [
      'an NS host with a leading hyphen',
      () => ({ name: 'x', type: 'NS', content: '-ns.example.net' }),
      'content',
      /hyphens/,
    ],
    [
      'an SRV target that is not a host name',
      () => ({ name: '_sip._tcp', type: 'SRV', content: '5 5060 not_a.host', priority: 1 }),
      'content',
      /letters, digits/,
    ],
    [
      'MX without priority',
      () => ({ name: 'x', type: 'MX', content: 'mail.example.net' }),
      'priority',
      /required/,
    ],
    [
      'SRV without priority',
      () => ({ name: '_sip._tcp', type: 'SRV', content: '5 5060 sip.example.net', priority: null }),
      'priority',
      /required/,
    ],
    [
      'a priority on an A record',
      () => ({ name: 'x', type: 'A', content: '192.0.2.1', priority: 10 }),
      'priority',
      /only for MX and SRV/,
    ],
    [
      'a priority above 65535',
      () => ({ name: 'x', type: 'MX', content: 'mail.example.net', priority: 65536 }),
      'priority',
      /at most 65535/,
    ],
    [
      'a negative priority',
      () => ({ name: 'x', type: 'MX', content: 'mail.example.net', priority: -1 }),
      'priority',
      /at least 0/,
    ],
    [
      'an SRV name without _service._proto',
      () => ({ name: 'sip.tcp', type: 'SRV', content: '5 5060 sip.example.net', priority: 1 }),
      'name',
      /_service\._proto/,
    ],
    [
      'an SRV name with an unknown protocol',
      () => ({ name: '_sip._foo', type: 'SRV', content: '5 5060 sip.example.net', priority: 1 }),
      'name',
      /_service\._proto/,
    ],
    [
      'SRV content without weight port target',
      () => ({ name: '_sip._tcp', type: 'SRV', content: '5060 sip.example.net', priority: 1 }),
      'content',
      /weight port target/,
    ],
    [
      'an SRV port above 65535',
      () => ({ name: '_sip._tcp', type: 'SRV', content: '5 65536 sip.example.net', priority: 1 }),
      'content',
      /port/,
    ],
    [
      'a CAA tag other than issue, issuewild, iodef',
      () => ({ name: 'x', type: 'CAA', content: '0 issuer "ca.example"' }),
      'content',
      /issue, issuewild or iodef/,
    ],
    [
      'CAA content without a quoted value',
      () => ({ name: 'x', type: 'CAA', content: '0 issue letsencrypt.org' }),
      'content',
      /flags tag "value"/,
    ],
    [
      'CAA flags above 255',
      () => ({ name: 'x', type: 'CAA', content: '256 issue "ca.example"' }),
      'content',
      /0 to 255/,
    ],
    [
      'a CAA iodef that is not a URL',
      () => ({ name: 'x', type: 'CAA', content: '0 iodef "security team"' }),
      'content',
      /mailto/,
    ],
    [
      'TXT content over 4096 bytes',
      () => ({ name: 'x', type: 'TXT', content: 'é'.repeat(2049) }),
      'content',
      /4096 bytes/,
    ],
    [
      'TXT content with control characters',
      () => ({ name: 'x', type: 'TXT', content: 'a\u0000b' }),
      'content',
      /control/,
    ],
    ['empty content', () => ({ name: 'x', type: 'A', content: '' }), 'content', /empty/],
    [
      'a ttl under 60',
      () => ({ name: 'x', type: 'A', content: '192.0.2.1', ttl: 59 }),
      'ttl',
      /at least 60/,
    ],
    [
      'a ttl over 86400',
      () => ({ name: 'x', type: 'A', content: '192.0.2.1', ttl: 86401 }),
      'ttl',
      /at most 86400/,
    ],
    [
      'a ttl that is not whole',
      () => ({ name: 'x', type: 'A', content: '192.0.2.1', ttl: 300.5 }),
      'ttl',
      /whole/,
    ],
    [
      'an unknown field',
      () => ({ name: 'x', type: 'A', content: '192.0.2.1', weight: 5 }),
      'weight',
      /weight/,
    ],
  ];

  it.each(cases)('refuses %s', async (_rule, body, field, rule) => {
    const before = await countRecords();
    expectRefusal(await post(body()), field, rule);
    expect(await countRecords()).toBe(before);
  });
});

describe('record rules that look at the rest of the zone', () => {
  it('refuses a CNAME at a name that has other records', async () => {
    const name = fresh();
    await create({ name, type: 'A', content: '192.0.2.1' });
    expectRefusal(
      await post({ name, type: 'CNAME', content: 'example.net' }),
      'type',
      /alone at its name/,
    );
  });

  it('refuses another record at a name that has a CNAME', async () => {
    const name = fresh();
    await create({ name, type: 'CNAME', content: 'example.net' });
    expectRefusal(await post({ name, type: 'TXT', content: 'hello' }), 'type', /CNAME/);
  });

  it('refuses a second CNAME at one name', async () => {
    const name = fresh();
    await create({ name, type: 'CNAME', content: 'a.example.net' });
    expectRefusal(await post({ name, type: 'CNAME', content: 'b.example.net' }), 'type', /alone/);
  });

  it('answers CONFLICT to an exact duplicate, also when spelt differently', async () => {
    const name = fresh();
    await create({ name, type: 'AAAA', content: '2001:db8::1' });
    const res = await post({ name: name.toUpperCase(), type: 'AAAA', content: '2001:DB8:0:0::1' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.details).toEqual([{ field: 'content', message: expect.any(String) }]);
  });

  it('refuses a TTL other than its RRset’s, naming the existing TTL', async () => {
    const name = fresh();
    await create({ name, type: 'A', content: '192.0.2.1', ttl: 300 });
    expectRefusal(
      await post({ name, type: 'A', content: '192.0.2.2', ttl: 600 }),
      'ttl',
      /have ttl 300/,
    );
  });

  it('gives a record sent without a TTL its RRset’s TTL', async () => {
    const name = fresh();
    await create({ name, type: 'A', content: '192.0.2.1', ttl: 300 });
    expect((await create({ name, type: 'A', content: '192.0.2.2' })).ttl).toBe(300);
  });

  it('lets another type at the same name have its own TTL', async () => {
    const name = fresh();
    await create({ name, type: 'A', content: '192.0.2.1', ttl: 300 });
    expect((await create({ name, type: 'TXT', content: 'x', ttl: 900 })).ttl).toBe(900);
  });

  it('holds a zone to 5000 records with CONFLICT', async () => {
    const full = await addDomain();
    const now = new Date();
    const rows = Array.from({ length: 4999 }, (_, i) => ({
      domain_id: full.id,
      name: `h${i}`,
      type: 'A' as const,
      content: '192.0.2.1',
      ttl: 3600,
      priority: null,
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 1000) {
      await t.database.db
        .insertInto('dns_records')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
    await create({ name: 'last', type: 'A', content: '192.0.2.1' }, full.id);
    const res = await post({ name: 'one-more', type: 'A', content: '192.0.2.1' }, full.id);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('5000');
    expect(await countRecords(full.id)).toBe(5000);
  });
});

describe('GET /v1/domains/{id}/records', () => {
  it('lists the customer’s records only: the SOA and apex NS are the platform’s', async () => {
    const domain = await addDomain();
    await create({ name: 'www', type: 'A', content: '192.0.2.1' }, domain.id);
    await create({ name: '@', type: 'MX', content: 'mail.example.net', priority: 10 }, domain.id);
    const res = await ada.api.get(`/v1/domains/${domain.id}/records`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { name: string; type: string }) => `${r.name} ${r.type}`)).toEqual(
      ['@ MX', 'www A'],
    );
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 2 });
  });

  it('lets a viewer list, and answers 404 to a non-member and for an unknown domain', async () => {
    expect((await viewer.api.get(`/v1/domains/${zone.id}/records`)).status).toBe(200);
    expect((await bea.api.get(`/v1/domains/${zone.id}/records`)).status).toBe(404);
    expect((await ada.api.get(`/v1/domains/${MISSING_ID}/records`)).status).toBe(404);
  });
});

describe('PATCH /v1/domains/{id}/records/{record_id}', () => {
  const patch = (id: string, body: Record<string, unknown>, user = ada, domainId = zone.id) =>
    user.api.patch(`/v1/domains/${domainId}/records/${id}`, body);

  it('changes the fields sent and keeps the others', async () => {
    const rec = await create({ name: fresh(), type: 'A', content: '192.0.2.1', ttl: 300 });
    const res = await patch(rec.id, { content: '192.0.2.9' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ...rec, content: '192.0.2.9' });
  });

  it('applies a ttl to the whole RRset', async () => {
    const name = fresh();
    const a = await create({ name, type: 'A', content: '192.0.2.1', ttl: 300 });
    const b = await create({ name, type: 'A', content: '192.0.2.2' });
    expect((await patch(a.id, { ttl: 900 })).body.data.ttl).toBe(900);
    const list = await ada.api.get(`/v1/domains/${zone.id}/records?per_page=100`);
    const sibling = list.body.data.find((r: { id: string }) => r.id === b.id);
    expect(sibling.ttl).toBe(900);
  });

  it('refuses moving a record into an RRset with another TTL', async () => {
    const name = fresh();
    await create({ name, type: 'A', content: '192.0.2.1', ttl: 300 });
    const other = await create({ name: fresh(), type: 'A', content: '192.0.2.2', ttl: 600 });
    expectRefusal(await patch(other.id, { name }), 'ttl', /have ttl 300/);
  });

  it('drops the priority when the type changes to one without it', async () => {
    const rec = await create({
      name: fresh(),
      type: 'MX',
      content: 'mail.example.net',
      priority: 5,
    });
    const res = await patch(rec.id, { type: 'CNAME', content: 'example.net' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ type: 'CNAME', priority: null });
  });

  it('holds the same rules as creation: CNAME alone, duplicates, apex NS', async () => {
    const name = fresh();
    await create({ name, type: 'A', content: '192.0.2.1' });
    const b = await create({ name, type: 'A', content: '192.0.2.2' });
    expect((await patch(b.id, { content: '192.0.2.1' })).status).toBe(409);
    expectRefusal(await patch(b.id, { type: 'CNAME', content: 'example.net' }), 'type', /alone/);
    const ns = await create({ name: fresh(), type: 'NS', content: 'ns.example.net' });
    expectRefusal(await patch(ns.id, { name: '@' }), 'name', /apex NS/);
  });

  it('refuses an empty body', async () => {
    const rec = await create({ name: fresh(), type: 'A', content: '192.0.2.1' });
    const res = await patch(rec.id, {});
    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown record and for a record of another domain', async () => {
    const other = await addDomain();
    const rec = await create({ name: 'x', type: 'A', content: '192.0.2.1' }, other.id);
    expect((await patch(MISSING_ID, { ttl: 300 })).status).toBe(404);
    expect((await patch(rec.id, { ttl: 300 })).status).toBe(404);
  });

  it('answers 403 to a viewer and 404 to a non-member, changing nothing', async () => {
    const rec = await create({ name: fresh(), type: 'A', content: '192.0.2.1' });
    expect((await patch(rec.id, { content: '192.0.2.7' }, viewer)).status).toBe(403);
    expect((await patch(rec.id, { content: '192.0.2.7' }, bea)).status).toBe(404);
    const list = await ada.api.get(`/v1/domains/${zone.id}/records?per_page=100`);
    const kept = list.body.data.find((r: { id: string }) => r.id === rec.id);
    expect(kept.content).toBe('192.0.2.1');
  });
});

describe('DELETE /v1/domains/{id}/records/{record_id}', () => {
  it('deletes a record (204), then answers 404', async () => {
    const rec = await create({ name: fresh(), type: 'A', content: '192.0.2.1' });
    const path = `/v1/domains/${zone.id}/records/${rec.id}`;
    expect((await ada.api.delete(path)).status).toBe(204);
    expect((await ada.api.delete(path)).status).toBe(404);
  });

  it('answers 403 to a viewer and 404 to a non-member, keeping the record', async () => {
    const rec = await create({ name: fresh(), type: 'A', content: '192.0.2.1' });
    const path = `/v1/domains/${zone.id}/records/${rec.id}`;
    expect((await viewer.api.delete(path)).status).toBe(403);
    expect((await bea.api.delete(path)).status).toBe(404);
    expect((await ada.api.delete(path)).status).toBe(204);
  });

  it('answers 403 to a viewer adding a record and 404 to a non-member', async () => {
    const body = { name: fresh(), type: 'A', content: '192.0.2.1' };
    expect((await post(body, zone.id, viewer)).status).toBe(403);
    expect((await post(body, zone.id, bea)).status).toBe(404);
  });
});

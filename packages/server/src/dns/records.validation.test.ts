import { describe, expect, it } from 'vitest';
import { AppError, Conflict, ValidationFailed } from '../platform/errors.js';
import {
  checkZoneSize,
  normaliseRecordName,
  placeInZone,
  validateRecord,
  type RecordFields,
  type ValidRecord,
  type ZoneRecord,
} from './records.validation.js';
import { splitTxt } from './records.content.js';

const ZONE = 'example.co.zm';

function refused(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('accepted');
}

function expectRule(fields: RecordFields, field: string, rule: RegExp): void {
  const err = refused(() => validateRecord(fields, ZONE));
  expect(err).toBeInstanceOf(ValidationFailed);
  expect(err.details).toEqual([{ field, message: expect.stringMatching(rule) }]);
}

const a = (name: string, extra: Partial<RecordFields> = {}): RecordFields => ({
  name,
  type: 'A',
  content: '192.0.2.1',
  ...extra,
});

describe('record names', () => {
  it('makes names relative and lowercase; @ and the zone with a dot are the apex', () => {
    expect(normaliseRecordName('@', ZONE)).toBe('@');
    expect(normaliseRecordName(`${ZONE}.`, ZONE)).toBe('@');
    expect(normaliseRecordName('WWW', ZONE)).toBe('www');
    expect(normaliseRecordName(`Www.Dev.${ZONE.toUpperCase()}.`, ZONE)).toBe('www.dev');
    expect(normaliseRecordName('*.dev', ZONE)).toBe('*.dev');
    expect(normaliseRecordName('bücher', ZONE)).toBe('xn--bcher-kva');
  });

  it('refuses a fully qualified name outside the zone', () => {
    expectRule(a('www.example.org.'), 'name', /outside the domain/);
    expectRule(a(`www.not${ZONE}.`), 'name', /outside the domain/);
  });
  it('refuses a relative name that repeats the domain', () => {
    expectRule(a(`www.${ZONE}`), 'name', /ends with the domain name/);
  });
  it('refuses a label past 63 characters', () => {
    expectRule(a('a'.repeat(64)), 'name', /1–63/);
  });
  it('refuses an empty label', () => {
    expectRule(a('www..dev'), 'name', /empty label/);
  });
  it('refuses a name of 255 octets or more, counting the zone', () => {
    const label = 'a'.repeat(63);
    // 63*3 + 3 dots + 45 + 1 + 13 (zone) = 251 characters: 253 octets on the wire.
    expect(
      validateRecord(a(`${label}.${label}.${label}.${'b'.repeat(45)}`), ZONE).name,
    ).toBeTruthy();
    expectRule(a(`${label}.${label}.${label}.${'b'.repeat(48)}`), 'name', /255 octets/);
  });
  it('refuses a wildcard that is not the whole leftmost label', () => {
    expectRule(a('w*.dev'), 'name', /wildcard/);
    expectRule(a('dev.*'), 'name', /wildcard/);
  });
  it('refuses characters other than letters, digits, - and _', () => {
    expectRule(a('we b'), 'name', /letters, digits/);
  });
});

describe('types at names', () => {
  it("refuses NS at the apex: the platform's", () => {
    expectRule({ name: '@', type: 'NS', content: 'ns1.example.net' }, 'name', /apex NS/);
  });
  it('refuses a wildcard NS', () => {
    expectRule({ name: '*.dev', type: 'NS', content: 'ns1.example.net' }, 'name', /wildcard/);
  });
  it('refuses a CNAME at the apex', () => {
    expectRule({ name: '@', type: 'CNAME', content: 'example.net' }, 'name', /apex/);
  });
  it('requires _service._proto names for SRV', () => {
    const srv = (name: string): RecordFields => ({
      name,
      type: 'SRV',
      content: '5 5060 sip.example.net',
      priority: 1,
    });
    expect(validateRecord(srv('_sip._tcp'), ZONE).name).toBe('_sip._tcp');
    expect(validateRecord(srv('_sip._udp.voice'), ZONE).name).toBe('_sip._udp.voice');
    expectRule(srv('sip._tcp'), 'name', /_service\._proto/);
    expectRule(srv('_sip._http'), 'name', /_service\._proto/);
    expectRule(srv('@'), 'name', /_service\._proto/);
  });
});

describe('content', () => {
  it('requires an IPv4 address for A', () => {
    expectRule(a('x', { content: '192.0.2' }), 'content', /IPv4/);
    expectRule(a('x', { content: '::1' }), 'content', /IPv4/);
  });
  it('requires an IPv6 address for AAAA, and writes it canonically', () => {
    expect(
      validateRecord({ name: 'x', type: 'AAAA', content: '2001:DB8::0:1' }, ZONE).content,
    ).toBe('2001:db8::1');
    expectRule({ name: 'x', type: 'AAAA', content: '192.0.2.1' }, 'content', /IPv6/);
  });
  it('checks host names in content: not an IP, valid labels, fully qualified', () => {
    expectRule({ name: 'x', type: 'CNAME', content: '192.0.2.1' }, 'content', /not an IP/);
    expectRule({ name: 'x', type: 'NS', content: 'ns_1.example.net' }, 'content', /letters/);
    expectRule(
      { name: 'x', type: 'MX', content: 'mail', priority: 1 },
      'content',
      /fully qualified/,
    );
    expectRule({ name: 'x', type: 'CNAME', content: `${'a'.repeat(64)}.net` }, 'content', /63/);
    expect(
      validateRecord({ name: 'x', type: 'CNAME', content: 'Host.Example.NET.' }, ZONE).content,
    ).toBe('host.example.net');
    expect(validateRecord({ name: 'x', type: 'CNAME', content: '@' }, ZONE).content).toBe(ZONE);
  });
  it('reads SRV content as weight port target', () => {
    const srv = (content: string): RecordFields => ({
      name: '_sip._tcp',
      type: 'SRV',
      content,
      priority: 1,
    });
    expect(validateRecord(srv(' 5  5060 SIP.example.net. '), ZONE).content).toBe(
      '5 5060 sip.example.net',
    );
    expectRule(srv('5060 sip.example.net'), 'content', /weight port target/);
    expectRule(srv('5 70000 sip.example.net'), 'content', /port/);
    expectRule(srv('x 5060 sip.example.net'), 'content', /weight/);
  });
  it('reads CAA content as flags tag "value" with tag issue, issuewild or iodef', () => {
    const caa = (content: string): RecordFields => ({ name: '@', type: 'CAA', content });
    expect(validateRecord(caa('0 IssueWild ";"'), ZONE).content).toBe('0 issuewild ";"');
    expect(validateRecord(caa('0 iodef "mailto:sec@example.co.zm"'), ZONE).content).toBe(
      '0 iodef "mailto:sec@example.co.zm"',
    );
    expectRule(caa('0 issuer "ca.example"'), 'content', /issue, issuewild or iodef/);
    expectRule(caa('0 issue ca.example'), 'content', /flags tag "value"/);
    expectRule(caa('300 issue "ca.example"'), 'content', /0 to 255/);
    expectRule(caa('0 iodef "call us"'), 'content', /mailto/);
  });
  it('holds TXT to 4096 bytes of text, kept as sent', () => {
    const txt = (content: string): RecordFields => ({ name: 'x', type: 'TXT', content });
    expect(validateRecord(txt(' spaced '), ZONE).content).toBe(' spaced ');
    expect(validateRecord(txt('é'.repeat(2048)), ZONE).content).toHaveLength(2048);
    expectRule(txt('é'.repeat(2049)), 'content', /4096 bytes/);
    expectRule(txt('line\nbreak'), 'content', /control/);
  });
});

describe('priority and TTL', () => {
  it('requires a priority for MX and SRV', () => {
    expectRule({ name: 'x', type: 'MX', content: 'mail.example.net' }, 'priority', /required/);
    expectRule(
      { name: '_a._tcp', type: 'SRV', content: '1 1 a.example.net', priority: null },
      'priority',
      /required/,
    );
  });
  it('refuses a priority on other types', () => {
    expectRule(a('x', { priority: 0 }), 'priority', /only for MX and SRV/);
  });
  it('holds priority to 0–65535', () => {
    const mx = (priority: number): RecordFields => ({
      name: 'x',
      type: 'MX',
      content: 'mail.example.net',
      priority,
    });
    expect(validateRecord(mx(65535), ZONE).priority).toBe(65535);
    expectRule(mx(65536), 'priority', /0 to 65535/);
    expectRule(mx(-1), 'priority', /0 to 65535/);
  });
  it('holds ttl to 60–86400 whole seconds', () => {
    expect(validateRecord(a('x', { ttl: 60 }), ZONE).ttl).toBe(60);
    expect(validateRecord(a('x', { ttl: 86400 }), ZONE).ttl).toBe(86400);
    expectRule(a('x', { ttl: 59 }), 'ttl', /60 to 86400/);
    expectRule(a('x', { ttl: 86401 }), 'ttl', /60 to 86400/);
    expectRule(a('x', { ttl: 1.5 }), 'ttl', /whole/);
  });
});

describe('placeInZone', () => {
  const rec = (fields: Partial<ValidRecord>): ValidRecord => ({
    name: 'www',
    type: 'A',
    content: '192.0.2.1',
    ttl: undefined,
    priority: null,
    ...fields,
  });
  const existing = (fields: Partial<ZoneRecord>): ZoneRecord => ({
    type: 'A',
    content: '192.0.2.9',
    ttl: 300,
    ...fields,
  });

  it('keeps a CNAME alone at its name', () => {
    const cname = rec({ type: 'CNAME', content: 'example.net' });
    expect(refused(() => placeInZone(cname, ZONE, [existing({})])).details[0]!.field).toBe('type');
    expect(
      refused(() => placeInZone(rec({}), ZONE, [existing({ type: 'CNAME', content: 'x.net' })]))
        .message,
    ).toContain('has a CNAME');
  });
  it('answers CONFLICT to an exact duplicate', () => {
    expect(
      refused(() => placeInZone(rec({}), ZONE, [existing({ content: '192.0.2.1' })])),
    ).toBeInstanceOf(Conflict);
  });
  it('keeps one TTL per name and type, naming the existing one', () => {
    const err = refused(() => placeInZone(rec({ ttl: 600 }), ZONE, [existing({})]));
    expect(err.details).toEqual([{ field: 'ttl', message: expect.stringContaining('ttl 300') }]);
    expect(placeInZone(rec({ ttl: 600 }), ZONE, [existing({})], { ttlSetsRRset: true })).toBe(600);
    expect(placeInZone(rec({ ttl: 600 }), ZONE, [existing({ type: 'TXT' })])).toBe(600);
  });
  it('gives a record without a TTL its RRset’s, else 3600', () => {
    expect(placeInZone(rec({}), ZONE, [existing({})])).toBe(300);
    expect(placeInZone(rec({}), ZONE, [])).toBe(3600);
  });
  it('holds a zone to 5000 records', () => {
    expect(() => checkZoneSize(4999, ZONE)).not.toThrow();
    expect(refused(() => checkZoneSize(5000, ZONE))).toBeInstanceOf(Conflict);
  });
});

describe('splitTxt', () => {
  it('splits into strings of at most 255 bytes without cutting a character', () => {
    expect(splitTxt('a'.repeat(510))).toEqual(['a'.repeat(255), 'a'.repeat(255)]);
    const chunks = splitTxt('€'.repeat(100));
    expect(chunks).toEqual(['€'.repeat(85), '€'.repeat(15)]);
    expect(chunks.every((c) => Buffer.byteLength(c) <= 255)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { DomainNameError, hostnameProblem, normaliseDomainName, toAscii } from './domain-name.js';

function refusal(input: string): string {
  try {
    normaliseDomainName(input);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainNameError);
    return (err as Error).message;
  }
  throw new Error(`${input} was accepted`);
}

describe('normaliseDomainName', () => {
  it('trims, lowercases and drops the trailing dot', () => {
    expect(normaliseDomainName('  Example.CO.ZM.  ')).toBe('example.co.zm');
  });

  it('converts internationalised names to punycode', () => {
    expect(normaliseDomainName('München.de')).toBe('xn--mnchen-3ya.de');
    expect(normaliseDomainName('xn--mnchen-3ya.de')).toBe('xn--mnchen-3ya.de');
  });

  it.each(['co.zm', 'zm', 'com', 'CO.ZM.', 'github.io'])('refuses %s: a public suffix', (name) => {
    expect(refusal(name)).toContain('is a public suffix');
  });

  it('refuses a name under no public suffix', () => {
    expect(refusal('example.notarealtld')).toContain('not under a known public suffix');
  });

  it('refuses a subdomain, naming the registrable domain', () => {
    expect(refusal('shop.example.co.zm')).toContain('add example.co.zm');
  });

  it('refuses an IP address', () => {
    expect(refusal('192.0.2.1')).toContain('IP address');
  });

  it('refuses invalid punycode', () => {
    expect(refusal('xn--zz.co.zm')).toContain('IDNA');
  });

  it.each([
    ['an underscore', 'ex_ample.co.zm', /letters, digits/],
    ['a leading hyphen', '-example.co.zm', /inner hyphens/],
    ['a trailing hyphen', 'example-.co.zm', /inner hyphens/],
    ['a label past 63 characters', `${'a'.repeat(64)}.co.zm`, /longer than 63/],
    ['an empty label', 'example..co.zm', /empty label/],
    ['a name past 253 characters', `${'a.'.repeat(124)}example.co.zm`, /253/],
  ])('refuses a name with %s', (_rule, name, message) => {
    expect(refusal(name)).toMatch(message);
  });
});

describe('toAscii and hostnameProblem', () => {
  it('keeps ASCII labels with _ and * for the caller to judge', () => {
    expect(toAscii('*._Dmarc')).toBe('*._dmarc');
  });

  it('answers null for a label IDNA refuses', () => {
    expect(toAscii('xn--zz.example')).toBeNull();
  });

  it('accepts a 63-character label and a 253-character name', () => {
    expect(hostnameProblem(`${'a'.repeat(63)}.co.zm`)).toBeNull();
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    expect(hostnameProblem(name)).toBeNull();
    expect(hostnameProblem(`x${name}`)).toContain('253');
  });
});

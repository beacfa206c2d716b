import { describe, expect, it } from 'vitest';
import { cidrOf, formatCidr, formatIpv4, overlaps, parseCidr, parseIpv4 } from './ipv4.js';

const RANGE = { min: 16, max: 30 };

describe('IPv4 addresses', () => {
  it('parses dotted quads into unsigned integers and back', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('198.51.100.7')).toBe(0xc6336407);
    for (const s of ['10.20.0.1', '192.0.2.255', '1.2.3.4'])
      expect(formatIpv4(parseIpv4(s)!)).toBe(s);
  });

  it('refuses leading zeros, out-of-range octets, spaces and IPv6', () => {
    for (const bad of ['010.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', ' 1.2.3.4', '::1', ''])
      expect(parseIpv4(bad)).toBeNull();
  });
});

describe('CIDR networks', () => {
  it('parses a network with its broadcast address', () => {
    const r = parseCidr('198.51.100.0/24', RANGE);
    expect(r).toEqual({
      ok: true,
      cidr: {
        network: parseIpv4('198.51.100.0'),
        prefix: 24,
        broadcast: parseIpv4('198.51.100.255'),
      },
    });
    if (r.ok) expect(formatCidr(r.cidr)).toBe('198.51.100.0/24');
  });

  it('names the network when host bits are set', () => {
    expect(parseCidr('198.51.100.7/24', RANGE)).toEqual({
      ok: false,
      reason: 'has host bits set; the network is 198.51.100.0/24',
    });
  });

  it('refuses prefixes outside the allowed range and malformed text', () => {
    expect(parseCidr('10.0.0.0/8', RANGE)).toMatchObject({ ok: false, reason: /between \/16/ });
    expect(parseCidr('10.0.0.0/31', RANGE)).toMatchObject({ ok: false });
    for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/24/1', '10.0.0.0/x', 'a/24'])
      expect(parseCidr(bad, RANGE)).toMatchObject({ ok: false, reason: /IPv4 network/ });
  });

  it('tells overlapping networks from adjacent ones', () => {
    const a = cidrOf(parseIpv4('10.20.0.0')!, 20);
    expect(overlaps(a, cidrOf(parseIpv4('10.20.15.0')!, 24))).toBe(true);
    expect(overlaps(a, cidrOf(parseIpv4('10.20.16.0')!, 24))).toBe(false);
    expect(overlaps(cidrOf(parseIpv4('10.0.0.0')!, 16), a)).toBe(false);
    expect(overlaps(cidrOf(parseIpv4('10.16.0.0')!, 12), a)).toBe(true);
  });
});

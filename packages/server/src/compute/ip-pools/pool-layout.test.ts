import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../platform/errors.js';
import { parseIpv4 } from './ipv4.js';
import { addressCount, poolLayout, type PoolLayoutInput } from './pool-layout.js';

const ip = (s: string) => parseIpv4(s)!;

function refusal(input: PoolLayoutInput) {
  try {
    poolLayout(input);
  } catch (err) {
    if (err instanceof ValidationFailed) return err.details;
    throw err;
  }
  throw new Error('accepted');
}

describe('IP pool layout', () => {
  it('defaults the range to every host of the network and leaves the gateway out', () => {
    const l = poolLayout({ cidr: '198.51.100.0/24', gateway: '198.51.100.1' });
    expect(l).toMatchObject({
      gateway: ip('198.51.100.1'),
      rangeFirst: ip('198.51.100.1'),
      rangeLast: ip('198.51.100.254'),
    });
    expect(addressCount(l)).toBe(253);
  });

  it('counts a range that does not hold the gateway in full', () => {
    const l = poolLayout({
      cidr: '10.20.0.0/24',
      gateway: '10.20.0.1',
      rangeFirst: '10.20.0.10',
      rangeLast: '10.20.0.19',
    });
    expect(addressCount(l)).toBe(10);
  });

  it('refuses the network and broadcast addresses as gateway or range ends', () => {
    expect(refusal({ cidr: '10.20.0.0/24', gateway: '10.20.0.0' })).toEqual([
      { field: 'gateway', message: 'gateway must not be the network address 10.20.0.0' },
    ]);
    expect(
      refusal({
        cidr: '10.20.0.0/24',
        gateway: '10.20.0.255',
        rangeFirst: '10.20.0.0',
        rangeLast: '10.20.0.255',
      }).map((d) => d.field),
    ).toEqual(['gateway', 'range_first', 'range_last']);
  });

  it('refuses addresses outside the network, naming it', () => {
    expect(refusal({ cidr: '10.20.0.0/24', gateway: '10.20.0.1', rangeLast: '10.20.1.5' })).toEqual(
      [{ field: 'range_last', message: 'range_last must be inside 10.20.0.0/24' }],
    );
  });

  it('refuses a backwards range and one holding only the gateway', () => {
    expect(
      refusal({
        cidr: '10.20.0.0/24',
        gateway: '10.20.0.1',
        rangeFirst: '10.20.0.9',
        rangeLast: '10.20.0.8',
      })[0]!.field,
    ).toBe('range_last');
    expect(
      refusal({
        cidr: '10.20.0.0/24',
        gateway: '10.20.0.1',
        rangeFirst: '10.20.0.1',
        rangeLast: '10.20.0.1',
      })[0]!.field,
    ).toBe('range_first');
  });

  it('refuses a malformed network, host bits and prefixes past /16../30 on cidr', () => {
    for (const cidr of ['10.20.0.0', '10.20.0.5/24', '10.0.0.0/8', '10.20.0.0/31'])
      expect(refusal({ cidr, gateway: '10.20.0.1' })[0]!.field).toBe('cidr');
  });
});

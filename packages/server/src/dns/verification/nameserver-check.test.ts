import { describe, expect, it } from 'vitest';
import { DelegationLookupFailed, type Delegation } from './delegation-resolver.js';
import { NameserversUnreachable, NameserverVerifier, recheckDelay } from './nameserver-check.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const OURS = ['ns1.swiftcloud.zm', 'ns2.swiftcloud.zm'];

const verifierFinding = (found: Delegation | Error) =>
  new NameserverVerifier({
    findDelegation: async () => {
      if (found instanceof Error) throw found;
      return found;
    },
  });

describe('recheckDelay', () => {
  it('re-checks domains not yet active after 1 minute, doubling each time, up to 6 hours', () => {
    expect(recheckDelay(1, 'pending')).toBe(MINUTE);
    expect(recheckDelay(2, 'pending')).toBe(2 * MINUTE);
    expect(recheckDelay(3, 'failed')).toBe(4 * MINUTE);
    expect(recheckDelay(9, 'pending')).toBe(256 * MINUTE);
    expect(recheckDelay(10, 'pending')).toBe(6 * HOUR);
    expect(recheckDelay(1_000, 'failed')).toBe(6 * HOUR);
  });

  it('treats a count below one as the first check', () => {
    expect(recheckDelay(0, 'pending')).toBe(MINUTE);
  });

  it('re-checks active domains daily', () => {
    expect(recheckDelay(1, 'active')).toBe(24 * HOUR);
    expect(recheckDelay(50, 'active')).toBe(24 * HOUR);
  });
});

describe('NameserverVerifier', () => {
  it('turns a failed walk into NameserversUnreachable, a 503, carrying the reason', async () => {
    const err = await verifierFinding(new DelegationLookupFailed('no server of zm answered'))
      .check('example.co.zm', OURS)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameserversUnreachable);
    expect(err).toMatchObject({
      status: 503,
      code: 'RESOURCE_UNAVAILABLE',
      domain: 'example.co.zm',
      reason: 'no server of zm answered',
    });
  });

  it('is unreachable, not pending, when every parent server failed to answer', async () => {
    const verifier = verifierFinding({
      domain: 'example.co.zm',
      parentZone: 'co.zm',
      nameservers: [],
      servers: [
        { server: 'ns1.co.zm', answer: { kind: 'error', message: 'timeout' } },
        { server: 'ns2.co.zm', answer: { kind: 'error', message: 'answered SERVFAIL' } },
      ],
    });
    await expect(verifier.check('example.co.zm', OURS)).rejects.toThrow(NameserversUnreachable);
  });

  it('is pending when one parent server says not delegated and the other did not answer', async () => {
    const verifier = verifierFinding({
      domain: 'example.co.zm',
      parentZone: 'co.zm',
      nameservers: [],
      servers: [
        { server: 'ns1.co.zm', answer: { kind: 'error', message: 'timeout' } },
        { server: 'ns2.co.zm', answer: { kind: 'not-delegated', rcode: 'NXDOMAIN' } },
      ],
    });
    expect(await verifier.check('example.co.zm', OURS)).toMatchObject({
      status: 'pending',
      delegatedNameservers: [],
    });
  });

  it('does not let other errors pass as unreachable', async () => {
    const bug = new TypeError('a bug');
    await expect(verifierFinding(bug).check('example.co.zm', OURS)).rejects.toBe(bug);
  });
});

import { describe, expect, it } from 'vitest';
import { makeZone } from '../../../test/dns-server-fixtures.js';
import { resolve } from './lookup.js';
import { ZoneStore } from './zone-store.js';

const zone = new ZoneStore().replace(
  makeZone('example.co.zm', 1, [
    ['loop1', 'CNAME', 'loop2.example.co.zm'],
    ['loop2', 'CNAME', 'loop1.example.co.zm'],
    ['*', 'CNAME', 'target.example.co.zm'],
    ['target', 'A', '192.0.2.7'],
    ['to-sub', 'CNAME', 'host.sub.example.co.zm'],
    ['sub', 'NS', 'ns.sub.example.co.zm'],
    ['ns.sub', 'AAAA', '2001:db8::53'],
  ]),
);

describe('resolve', () => {
  it('stops a CNAME loop after each name once', () => {
    const r = resolve(zone, 'loop1.example.co.zm', 'A');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((a) => a.name)).toEqual(['loop1.example.co.zm', 'loop2.example.co.zm']);
  });

  it('follows a wildcard CNAME, owned by the name asked', () => {
    const r = resolve(zone, 'Anything.example.co.zm', 'A');
    expect(r.answers.map((a) => [a.name, a.type])).toEqual([
      ['Anything.example.co.zm', 'CNAME'],
      ['target.example.co.zm', 'A'],
    ]);
  });

  it('answers the CNAME itself when it is asked for', () => {
    expect(resolve(zone, 'loop1.example.co.zm', 'CNAME').answers).toHaveLength(1);
  });

  it('ends a CNAME into a delegated name with the referral, still authoritative for the CNAME', () => {
    const r = resolve(zone, 'to-sub.example.co.zm', 'A');
    expect(r.authoritative).toBe(true);
    expect(r.answers.map((a) => a.type)).toEqual(['CNAME']);
    expect(r.authorities.map((a) => a.type)).toEqual(['NS']);
    expect(r.additionals).toEqual([
      expect.objectContaining({ name: 'ns.sub.example.co.zm', type: 'AAAA' }),
    ]);
  });
});

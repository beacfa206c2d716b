import { describe, expect, it } from 'vitest';
import { exampleZone, makeZone } from '../../../test/dns-server-fixtures.js';
import { ZoneStore } from './zone-store.js';

describe('ZoneStore', () => {
  it('finds the zone with the longest apex a name falls in, ignoring case and the trailing dot', () => {
    const store = new ZoneStore();
    store.replace(makeZone('example.co.zm', 1, []));
    store.replace(makeZone('child.example.co.zm', 1, []));
    expect(store.findZone('www.example.co.zm')?.name).toBe('example.co.zm');
    expect(store.findZone('A.Child.Example.CO.ZM.')?.name).toBe('child.example.co.zm');
    expect(store.findZone('example.co.zm')?.name).toBe('example.co.zm');
    expect(store.findZone('co.zm')).toBeUndefined();
    expect(store.findZone('xexample.co.zm')).toBeUndefined();
    expect(store.findZone('.')).toBeUndefined();
  });

  it('replaces a zone whole and removes it by name', () => {
    const store = new ZoneStore();
    store.replace(makeZone('example.co.zm', 1, [['old', 'A', '192.0.2.1']]));
    store.replace(makeZone('example.co.zm', 2, [['new', 'A', '192.0.2.2']]));
    const zone = store.get('example.co.zm')!;
    expect(zone.serial).toBe(2);
    expect(zone.rrset('old.example.co.zm', 'A')).toEqual([]);
    expect(zone.rrset('new.example.co.zm', 'A')).toHaveLength(1);
    expect(store.remove('Example.co.zm')).toBe(true);
    expect(store.remove('example.co.zm')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('refuses a zone without an SOA at its apex', () => {
    const zone = makeZone('example.co.zm', 1, []);
    zone.records = zone.records.filter((r) => r.type !== 'SOA');
    expect(() => new ZoneStore().replace(zone)).toThrow(/no SOA/);
  });

  it("serves the zone's serial in its SOA, and leaves out records outside the zone", () => {
    const zone = makeZone('example.co.zm', 5, []);
    zone.records.push({ name: 'www.elsewhere.zm', type: 'A', ttl: 60, data: '192.0.2.9' });
    const indexed = new ZoneStore().replace({ ...zone, serial: 6 });
    expect(indexed.soa.data.serial).toBe(6);
    expect(indexed.records[0]?.type).toBe('SOA');
    expect(indexed.records.some((r) => r.name === 'www.elsewhere.zm')).toBe(false);
  });

  it('knows empty non-terminals exist, and finds the closest encloser of a missing name', () => {
    const zone = new ZoneStore().replace(exampleZone());
    expect(zone.exists('deep.apps.example.co.zm')).toBe(true);
    expect(zone.node('deep.apps.example.co.zm')).toBeUndefined();
    expect(zone.exists('apps.example.co.zm')).toBe(true);
    expect(zone.exists('nope.example.co.zm')).toBe(false);
    expect(zone.closestEncloser('x.y.deep.apps.example.co.zm')).toBe('deep.apps.example.co.zm');
    expect(zone.closestEncloser('nope.example.co.zm')).toBe('example.co.zm');
  });

  it('finds the delegation a name falls under, the highest cut winning', () => {
    const zone = new ZoneStore().replace(
      makeZone('example.co.zm', 1, [
        ['sub', 'NS', 'ns.elsewhere.net'],
        ['deeper.sub', 'NS', 'ns.other.net'],
      ]),
    );
    expect(zone.delegationFor('example.co.zm')).toBeUndefined();
    expect(zone.delegationFor('www.example.co.zm')).toBeUndefined();
    expect(zone.delegationFor('sub.example.co.zm')).toBe('sub.example.co.zm');
    expect(zone.delegationFor('a.deeper.sub.example.co.zm')).toBe('sub.example.co.zm');
  });
});

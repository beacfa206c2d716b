import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { query } from '../../../test/dns-server-client.js';
import { makeZone } from '../../../test/dns-server-fixtures.js';
import { ResponseCache } from './response-cache.js';
import { ZoneStore } from './zone-store.js';

const bytes = (id: number, name = 'example.co.zm') => dnsPacket.encode(query(name, 'A', { id }));

describe('ResponseCache', () => {
  it('returns the cached answer with the new query id', () => {
    const store = new ZoneStore();
    const cache = new ResponseCache(store);
    cache.set(bytes(1), 'udp', Buffer.from([0, 1, 0xaa, 0xbb]));
    expect(cache.get(bytes(0x0203), 'udp')).toEqual(Buffer.from([2, 3, 0xaa, 0xbb]));
    expect(cache.get(bytes(1), 'tcp')).toBeUndefined();
    expect(cache.get(bytes(1, 'Example.co.zm'), 'udp')).toBeUndefined();
  });

  it('forgets everything when the store changes', () => {
    const store = new ZoneStore();
    const cache = new ResponseCache(store);
    cache.set(bytes(1), 'udp', Buffer.from([0, 1, 0xaa]));
    store.replace(makeZone('example.co.zm', 2, []));
    expect(cache.get(bytes(1), 'udp')).toBeUndefined();
    cache.set(bytes(1), 'udp', Buffer.from([0, 1, 0xaa]));
    store.remove('example.co.zm');
    expect(cache.get(bytes(1), 'udp')).toBeUndefined();
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const cache = new ResponseCache(new ZoneStore(), 2);
    for (const name of ['a.zm', 'b.zm', 'c.zm'])
      cache.set(bytes(1, name), 'udp', Buffer.from([0, 1]));
    expect(cache.size).toBe(2);
    expect(cache.get(bytes(1, 'a.zm'), 'udp')).toBeUndefined();
    expect(cache.get(bytes(1, 'c.zm'), 'udp')).toBeDefined();
  });
});

import { describe, expect, it } from 'vitest';
import { FakeZoneSource, makeZone } from '../../../test/dns-server-fixtures.js';
import type { Zone } from '../zone.js';
import { silentLog } from './dns-log.js';
import { LocalZoneChanges } from '../../../test/support/local-zone-changes.js';
import { ZoneMirror } from './zone-mirror.js';
import { ZoneStore, type IndexedZone } from './zone-store.js';

/** A source whose loads wait until the test releases them, to interleave changes with reloads. */
class GatedSource extends FakeZoneSource {
  gates: (() => void)[] = [];
  gated = false;
  override async load(name: string): Promise<Zone | undefined> {
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve));
    return super.load(name);
  }
}

async function setup(source: FakeZoneSource) {
  const store = new ZoneStore();
  const changes = new LocalZoneChanges();
  const served: number[] = [];
  const mirror = new ZoneMirror(
    store,
    source,
    changes,
    (z: IndexedZone) => served.push(z.serial),
    silentLog,
  );
  await mirror.start();
  return { store, changes, served, mirror };
}

describe('ZoneMirror', () => {
  it('loads every zone at start without announcing them', async () => {
    const { store, served } = await setup(
      new FakeZoneSource([makeZone('a.zm', 1, []), makeZone('b.zm', 1, [])]),
    );
    expect(store.names().sort()).toEqual(['a.zm', 'b.zm']);
    expect(served).toEqual([]);
  });

  it('folds changes heard during a reload into one more reload, ending on the newest version', async () => {
    const source = new GatedSource([makeZone('a.zm', 1, [])]);
    const { store, changes, served, mirror } = await setup(source);
    source.gated = true;
    source.put(makeZone('a.zm', 2, []));
    await changes.changed('a.zm');
    source.put(makeZone('a.zm', 3, []));
    await changes.changed('a.zm');
    await changes.changed('a.zm');
    const loadsBefore = source.loads;
    let finished = false;
    void mirror.settled().then(() => (finished = true));
    while (!finished) {
      source.gates.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(source.loads - loadsBefore).toBe(2);
    expect(store.get('a.zm')?.serial).toBe(3);
    expect(served.at(-1)).toBe(3);
  });

  it('keeps serving the version held when the source fails, after retrying', async () => {
    const source = new FakeZoneSource([makeZone('a.zm', 1, [])]);
    const { store, changes, mirror } = await setup(source);
    let calls = 0;
    source.load = async () => {
      calls++;
      throw new Error('database down');
    };
    await changes.changed('a.zm');
    await mirror.settled();
    expect(calls).toBe(4);
    expect(store.get('a.zm')?.serial).toBe(1);
  });

  it('does not serve a zone without an SOA, and keeps the last good version', async () => {
    const source = new FakeZoneSource([makeZone('a.zm', 1, [])]);
    const { store, changes, mirror } = await setup(source);
    const broken = makeZone('a.zm', 2, []);
    broken.records = broken.records.filter((r) => r.type !== 'SOA');
    source.put(broken);
    await changes.changed('a.zm');
    await mirror.settled();
    expect(store.get('a.zm')?.serial).toBe(1);
  });

  it('ignores changes after stop', async () => {
    const source = new FakeZoneSource([makeZone('a.zm', 1, [])]);
    const { store, changes, mirror } = await setup(source);
    mirror.stop();
    source.put(makeZone('a.zm', 2, []));
    await changes.changed('a.zm');
    await mirror.settled();
    expect(store.get('a.zm')?.serial).toBe(1);
  });

  it('never lets an older snapshot (a resync racing a reload) replace a newer zone', async () => {
    const source = new FakeZoneSource([makeZone('a.zm', 5, [])]);
    const { store, mirror } = await setup(source);
    // The resync's snapshot was taken before the change that the reload already served.
    const stale = [makeZone('a.zm', 4, [])];
    source.loadAll = async () => structuredClone(stale);
    await mirror.resync();
    expect(store.get('a.zm')?.serial).toBe(5);
  });

  it('keeps a zone missing from a resync snapshot when its own reload still finds it', async () => {
    const source = new FakeZoneSource([makeZone('a.zm', 1, [])]);
    const { store, mirror } = await setup(source);
    source.loadAll = async () => []; // a snapshot taken before a.zm was added
    await mirror.resync();
    await mirror.settled();
    expect(store.get('a.zm')?.serial).toBe(1);
    source.zones = [];
    await mirror.resync();
    await mirror.settled();
    expect(store.get('a.zm')).toBeUndefined();
  });

  it('resyncs on its own every resyncEveryMs, catching a change whose announcement was lost', async () => {
    const source = new FakeZoneSource([makeZone('a.zm', 1, [])]);
    const store = new ZoneStore();
    const mirror = new ZoneMirror(store, source, new LocalZoneChanges(), () => {}, silentLog, 20);
    await mirror.start();
    try {
      source.put(makeZone('a.zm', 2, [])); // changed, never announced
      const deadline = Date.now() + 2_000;
      while (store.get('a.zm')?.serial !== 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(store.get('a.zm')?.serial).toBe(2);
    } finally {
      mirror.stop();
    }
  });
});

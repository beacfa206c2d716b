import { setTimeout as sleep } from 'node:timers/promises';
import type { Zone, ZoneChanges, ZoneSource } from '../zone.js';
import type { DnsLog } from './dns-log.js';
import { canonicalName } from './names.js';
import { serialAtOrAfter } from './zone-transfer.js';
import type { IndexedZone, ZoneStore } from './zone-store.js';

// A failed load is retried after these pauses, then left until the next change or resync.
const RELOAD_BACKOFF_MS = [100, 500, 2_000];

/**
 * Keeps a ZoneStore equal to a ZoneSource: loads every zone at start, reloads one zone on
 * each announced change and everything on a resync. Reloads of one zone run one at a time,
 * and changes that arrive meanwhile fold into one more reload, so an older load can never
 * overwrite a newer one. `onServed` hears of every zone whose served serial changed.
 */
export class ZoneMirror {
  private ready = false;
  private stopped = false;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly early = new Set<string>();
  private resyncEarly = false;

  constructor(
    private readonly store: ZoneStore,
    private readonly source: ZoneSource,
    private readonly changes: ZoneChanges,
    private readonly onServed: (zone: IndexedZone) => void,
    private readonly log: DnsLog,
    /** A full reload this often catches changes whose announcement was lost (0: never). */
    private readonly resyncEveryMs = 5 * 60_000,
  ) {}

  private resyncTimer: NodeJS.Timeout | undefined;

  private unsubscribe: (() => Promise<void>) | undefined;

  /** Subscribes to changes, then loads every zone; changes announced meanwhile follow the load. */
  async start(): Promise<void> {
    // Subscribing first means no change can fall between the load and the subscription.
    this.unsubscribe = await this.changes.subscribe(
      (name) => this.changed(name),
      () => void this.resync(),
    );
    // Secondaries check their serial on their own refresh timer; a NOTIFY for every zone at
    // each start would flood them for nothing.
    for (const zone of await this.source.loadAll()) this.serve(zone, false);
    this.ready = true;
    if (this.resyncEarly) void this.resync();
    for (const name of this.early) this.changed(name);
    this.early.clear();
    if (this.resyncEveryMs > 0) {
      this.resyncTimer = setInterval(() => void this.resync(), this.resyncEveryMs);
      this.resyncTimer.unref();
    }
  }

  /** Ends the subscription and ignores every change still in flight. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    void this.unsubscribe?.();
  }

  /** Resolves once every reload started so far has finished; for callers that must see the result. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Reloads the zone `name` (it may have been added, changed or removed). */
  changed(name: string): void {
    if (this.stopped) return;
    const key = canonicalName(name);
    if (!this.ready) {
      this.early.add(key);
      return;
    }
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    const run = async () => {
      do {
        this.again.delete(key);
        await this.reload(key);
      } while (this.again.has(key) && !this.stopped);
    };
    this.running.set(
      key,
      run().finally(() => this.running.delete(key)),
    );
  }

  /** Reloads every zone, dropping those no longer served; for when changes may have been missed. */
  async resync(): Promise<void> {
    if (this.stopped) return;
    if (!this.ready) {
      this.resyncEarly = true;
      return;
    }
    try {
      const zones = await this.source.loadAll();
      if (this.stopped) return;
      const kept = new Set(zones.map((z) => canonicalName(z.name)));
      for (const zone of zones) this.serve(zone);
      // A zone missing from the snapshot may have been added since it was taken: its own
      // reload (queued behind any running one) decides whether it goes.
      for (const name of this.store.names()) if (!kept.has(name)) this.changed(name);
      this.log.info({ zones: zones.length }, 'DNS zones resynchronised');
    } catch (err) {
      this.log.error({ err }, 'DNS zone resync failed; serving the zones held');
    }
  }

  private async reload(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const zone = await this.source.load(name);
        if (this.stopped) return;
        if (zone) this.serve(zone);
        else this.store.remove(name);
        return;
      } catch (err) {
        const pause = RELOAD_BACKOFF_MS[attempt];
        if (pause === undefined || this.stopped) {
          this.log.error({ err, zone: name }, 'DNS zone reload failed; serving the version held');
          return;
        }
        await sleep(pause);
      }
    }
  }

  /** Serves `zone` in place of the version held, telling `onServed` (if `announce`) when its serial moved. */
  private serve(zone: Zone, announce = true): void {
    const before = this.store.get(zone.name)?.serial;
    // Serials only rise, so a snapshot older than the version held (a resync's, racing a
    // reload) must not replace it.
    if (before !== undefined && (zone.serial === before || !serialAtOrAfter(zone.serial, before))) {
      return;
    }
    let indexed: IndexedZone;
    try {
      indexed = this.store.replace(zone);
    } catch (err) {
      this.log.error({ err, zone: zone.name }, 'DNS zone cannot be served');
      return;
    }
    if (announce && indexed.serial !== before) this.onServed(indexed);
  }
}

import type { ZoneChanges } from '../../src/dns/zone.js';

interface Subscriber {
  onChange: (name: string) => void;
  onResync: () => void;
}

/**
 * Zone changes announced within the test's own process, synchronously, so a test can
 * drive a DNS server without a database. `onResync` is never called.
 */
export class LocalZoneChanges implements ZoneChanges {
  private readonly subscribers: Subscriber[] = [];

  /** Tells every subscriber, synchronously, that the zone `name` changed. */
  async changed(name: string): Promise<void> {
    for (const subscriber of this.subscribers) {
      try {
        subscriber.onChange(name);
      } catch {
        // One subscriber's failure must not keep the change from the others (or the caller).
      }
    }
  }

  async subscribe(onChange: (name: string) => void, onResync: () => void) {
    const subscriber = { onChange, onResync };
    this.subscribers.push(subscriber);
    return async () => {
      this.subscribers.splice(this.subscribers.indexOf(subscriber), 1);
    };
  }
}

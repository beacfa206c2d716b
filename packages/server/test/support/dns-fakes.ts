import type { NameserverCheck } from '../../src/dns/domains.service.js';
import type { ZoneChanges } from '../../src/dns/zone.js';

type Found = Awaited<ReturnType<NameserverCheck['check']>>;

/** A NameserverCheck answering what the test set for each name (pending, undelegated, by default). */
export class FakeNameserverCheck implements NameserverCheck {
  private readonly answers = new Map<string, Found | Error>();
  readonly asked: { domain: string; expected: string[] }[] = [];

  answer(domain: string, found: Found | Error): void {
    this.answers.set(domain, found);
  }

  async check(domain: string, expected: string[]): Promise<Found> {
    this.asked.push({ domain, expected });
    const found = this.answers.get(domain) ?? { status: 'pending', delegatedNameservers: [] };
    if (found instanceof Error) throw found;
    return found;
  }
}

/** ZoneChanges that remember every announcement. */
export class RecordingZoneChanges implements ZoneChanges {
  readonly announced: string[] = [];
  async changed(name: string): Promise<void> {
    this.announced.push(name);
  }
  async subscribe() {
    return async () => {};
  }
}

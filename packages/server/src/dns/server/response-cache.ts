import type { Transport } from './answer.js';
import type { ZoneStore } from './zone-store.js';

/** Entries kept at most; past it the oldest go first, so a flood of unique names stays bounded. */
const DEFAULT_CAPACITY = 10_000;

/**
 * Encoded responses by query. An answer is a pure function of the query's bytes after its
 * id (flags, question, EDNS) and of the zones, so a repeated query reuses the bytes with the
 * new id, and every cached answer is dropped whenever the store changes. This makes the
 * common case (the same names asked again and again) a map lookup and a copy.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Buffer>();
  private storeVersion: number;

  constructor(
    private readonly store: ZoneStore,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {
    this.storeVersion = store.version;
  }

  /** The cached response to `message` over `transport`, with `message`'s id, if there is one. */
  get(message: Buffer, transport: Transport): Buffer | undefined {
    this.dropIfStale();
    const cached = this.entries.get(key(message, transport));
    if (!cached) return undefined;
    const response = Buffer.from(cached);
    message.copy(response, 0, 0, 2);
    return response;
  }

  /** Remembers `response` as the answer to `message` over `transport`. */
  set(message: Buffer, transport: Transport, response: Buffer): void {
    this.dropIfStale();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key(message, transport), Buffer.from(response));
  }

  get size(): number {
    return this.entries.size;
  }

  private dropIfStale(): void {
    if (this.store.version === this.storeVersion) return;
    this.entries.clear();
    this.storeVersion = this.store.version;
  }
}

function key(message: Buffer, transport: Transport): string {
  return transport + message.toString('latin1', 2);
}

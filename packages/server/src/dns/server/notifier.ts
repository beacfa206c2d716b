import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import type { Endpoint } from '../../config.js';
import type { DnsLog } from './dns-log.js';
import { toAnswer } from './lookup.js';
import type { SoaRecord } from './zone-store.js';

const OPCODE_NOTIFY = 4;

export interface NotifyRetry {
  /** How many times a NOTIFY is sent before giving up on a secondary. */
  attempts: number;
  /** How long to wait for the first answer; each retry waits twice as long as the one before. */
  firstTimeoutMs: number;
}

/** RFC 1996 §3.6 suggests retrying for a while; five tries over about 31 s. */
export const DEFAULT_NOTIFY_RETRY: NotifyRetry = { attempts: 5, firstTimeoutMs: 1_000 };

/** How one secondary took a NOTIFY: answered NOERROR, answered otherwise, never, or superseded. */
export type NotifyOutcome = 'acknowledged' | 'refused' | 'unanswered' | 'cancelled';

/**
 * Sends NOTIFY (RFC 1996) to the secondaries when a zone changes, over UDP, retrying with
 * backoff until each answers. A newer NOTIFY for the same zone and secondary cancels an
 * older one still retrying: the secondary only needs to hear about the latest serial.
 */
export class Notifier {
  private readonly pending = new Map<string, AbortController>();

  constructor(
    private readonly secondaries: readonly Endpoint[],
    private readonly log: DnsLog,
    private readonly retry: NotifyRetry = DEFAULT_NOTIFY_RETRY,
  ) {}

  /** Notifies every secondary that `soa`'s zone changed; resolves with each one's outcome. */
  async notify(soa: SoaRecord): Promise<NotifyOutcome[]> {
    return Promise.all(this.secondaries.map((secondary) => this.notifyOne(soa, secondary)));
  }

  /** Cancels every NOTIFY still waiting for an answer. */
  stop(): void {
    for (const controller of this.pending.values()) controller.abort();
    this.pending.clear();
  }

  private async notifyOne(soa: SoaRecord, secondary: Endpoint): Promise<NotifyOutcome> {
    const key = `${soa.name}|${secondary.host}|${secondary.port}`;
    this.pending.get(key)?.abort();
    const controller = new AbortController();
    this.pending.set(key, controller);
    try {
      for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
        const timeoutMs = this.retry.firstTimeoutMs * 2 ** attempt;
        const rcode = await sendOnce(soa, secondary, timeoutMs, controller.signal);
        if (controller.signal.aborted) return 'cancelled';
        if (rcode === undefined) continue;
        if (rcode === 'NOERROR') return 'acknowledged';
        this.log.warn({ zone: soa.name, secondary, rcode }, 'secondary refused NOTIFY');
        return 'refused';
      }
      this.log.warn(
        { zone: soa.name, secondary, attempts: this.retry.attempts },
        'secondary never answered NOTIFY',
      );
      return 'unanswered';
    } finally {
      if (this.pending.get(key) === controller) this.pending.delete(key);
    }
  }
}

/** The NOTIFY message for `soa`'s zone: opcode NOTIFY, AA, the SOA as question and hint. */
export function notifyMessage(soa: SoaRecord, id: number): Packet {
  return {
    id,
    type: 'query',
    flags: (OPCODE_NOTIFY << 11) | dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ name: soa.name, type: 'SOA', class: 'IN' }],
    answers: [toAnswer(soa)],
  };
}

/** One NOTIFY and its answer's RCODE, or undefined when none came within `timeoutMs`. */
function sendOnce(
  soa: SoaRecord,
  secondary: Endpoint,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const id = randomInt(0, 0x10000);
    const socket = dgram.createSocket(isIPv6(secondary.host) ? 'udp6' : 'udp4');
    const finish = (rcode: string | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(rcode);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    signal.addEventListener('abort', onAbort);
    // An unreachable secondary (ICMP port unreachable) is a timeout like any other.
    socket.on('error', () => undefined);
    socket.on('message', (message, from) => {
      if (from.address !== secondary.host) return;
      try {
        const reply = dnsPacket.decode(message) as ReturnType<typeof dnsPacket.decode> & {
          rcode: string;
        };
        const opcode = ((reply.flags ?? 0) >> 11) & 0xf;
        if (reply.id === id && reply.type === 'response' && opcode === OPCODE_NOTIFY) {
          finish(reply.rcode);
        }
      } catch {
        // Not an answer we can read: keep waiting for one until the timeout.
      }
    });
    // A failed send (no route) is left to the timeout, then retried like a lost datagram.
    socket.send(
      dnsPacket.encode(notifyMessage(soa, id)),
      secondary.port,
      secondary.host,
      () => undefined,
    );
  });
}

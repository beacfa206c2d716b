import dgram from 'node:dgram';
import { once } from 'node:events';
import { isIPv6 } from 'node:net';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Config } from '../../config.js';
import type { ZoneChanges, ZoneSource } from '../zone.js';
import { decodeQuery, replyTo, respond, respondTo } from './answer.js';
import { silentLog, type DnsLog } from './dns-log.js';
import { Notifier, type NotifyOutcome, type NotifyRetry } from './notifier.js';
import { ResponseCache } from './response-cache.js';
import { FrameReader, frame } from './tcp-framing.js';
import { ZoneMirror } from './zone-mirror.js';
import { ZoneStore } from './zone-store.js';
import { isSecondary, isTransferQuery, transferMessages } from './zone-transfer.js';

export type DnsServerSettings = Pick<Config['dns'], 'host' | 'port' | 'secondaries'>;

export interface DnsServerOptions {
  log?: DnsLog;
  /** How NOTIFY retries an unanswered secondary. */
  notifyRetry?: NotifyRetry;
  /** A TCP connection with nothing to read or write for this long is closed (RFC 7766 §6.2.3). */
  tcpIdleTimeoutMs?: number;
  /** TCP connections held at once; more are refused until some close. */
  maxTcpConnections?: number;
  /** Every zone is reloaded this often, in case a change announcement was lost (default 5 min). */
  resyncEveryMs?: number;
}

// Queries read from one TCP connection but not yet answered; past this the socket stops reading.
const MAX_PIPELINED = 64;
// Answers worth caching: the rest (FORMERR, NOTIMP, SERVFAIL) are rare or come from garbage.
const CACHED_RCODES = new Set([0, 3, 5]);
const UDP_BUFFER_BYTES = 4 * 1024 * 1024;
// With port 0, UDP picks a free port and TCP must get the same one; another process may hold it.
const PORT_ATTEMPTS = 20;

/**
 * SwiftCloud's authoritative DNS server: answers over UDP and TCP on one address and port
 * from an in-memory copy of every zone (kept by a ZoneMirror from the ZoneSource and
 * ZoneChanges), transfers zones by AXFR to the configured secondaries and NOTIFYs them of
 * every change. Nothing a client sends can make it throw.
 */
export class DnsServer {
  /** The zones served, as of the last change applied. */
  readonly store = new ZoneStore();
  private readonly cache = new ResponseCache(this.store);
  private readonly mirror: ZoneMirror;
  private readonly notifier: Notifier;
  private readonly log: DnsLog;
  private readonly idleMs: number;
  private readonly maxConnections: number;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();

  constructor(
    private readonly settings: DnsServerSettings,
    source: ZoneSource,
    changes: ZoneChanges,
    options: DnsServerOptions = {},
  ) {
    this.log = options.log ?? silentLog;
    this.idleMs = options.tcpIdleTimeoutMs ?? 10_000;
    this.maxConnections = options.maxTcpConnections ?? 512;
    this.notifier = new Notifier(settings.secondaries, this.log, options.notifyRetry);
    this.mirror = new ZoneMirror(
      this.store,
      source,
      changes,
      (zone) => void this.notify(zone.name),
      this.log,
      options.resyncEveryMs,
    );
  }

  /**
   * Loads every zone, then listens on UDP and TCP on the same port. Resolves once both are
   * bound; rejects (and the server is finished) when the zones cannot be loaded or the port
   * is taken.
   */
  async start(): Promise<void> {
    if (this.udp) throw new Error('DNS server already started');
    try {
      await this.mirror.start();
      await this.listen();
    } catch (err) {
      // A server that failed to start (the port taken, the zones unreadable) is not restarted.
      this.mirror.stop();
      throw err;
    }
    this.log.info(
      { host: this.settings.host, port: this.port, zones: this.store.size },
      'DNS server listening',
    );
  }

  /** Stops listening, closes every TCP connection and cancels pending NOTIFYs. */
  async stop(): Promise<void> {
    this.mirror.stop();
    this.notifier.stop();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await Promise.all([
      udp && new Promise<void>((done) => udp.close(() => done())),
      tcp && new Promise<void>((done) => tcp.close(() => done())),
    ]);
  }

  /** The port bound for both UDP and TCP (the configured one, or the one picked for port 0). */
  get port(): number {
    if (!this.udp) throw new Error('DNS server not started');
    return this.udp.address().port;
  }

  /** Resolves once every zone change heard so far is served. */
  settled(): Promise<void> {
    return this.mirror.settled();
  }

  /**
   * Tells every secondary that the zone `zoneName` changed (RFC 1996), retrying each until it
   * answers; resolves with each one's outcome (empty when the zone is not served).
   */
  async notify(zoneName: string): Promise<NotifyOutcome[]> {
    const zone = this.store.get(zoneName);
    return zone ? this.notifier.notify(zone.soa) : [];
  }

  private async listen(): Promise<void> {
    const { host, port } = this.settings;
    for (let attempt = 1; ; attempt++) {
      const udp = dgram.createSocket({
        type: isIPv6(host) ? 'udp6' : 'udp4',
        // Bursts beyond the default ~200 KiB buffer are dropped by the kernel before we see them;
        // the kernel caps this at net.core.rmem_max.
        recvBufferSize: UDP_BUFFER_BYTES,
        sendBufferSize: UDP_BUFFER_BYTES,
      });
      udp.on('message', (message, remote) => this.onDatagram(udp, message, remote));
      udp.on('error', (err) => this.log.error({ err }, 'DNS UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        const onBindError = (err: Error) => {
          udp.close();
          reject(err);
        };
        udp.once('error', onBindError);
        udp.bind(port, host, () => {
          udp.off('error', onBindError);
          resolve();
        });
      });
      const tcp = net.createServer((socket) => this.onConnection(socket));
      tcp.maxConnections = this.maxConnections;
      try {
        tcp.listen(udp.address().port, host);
        await once(tcp, 'listening');
        tcp.on('error', (err) => this.log.error({ err }, 'DNS TCP server error'));
        this.udp = udp;
        this.tcp = tcp;
        return;
      } catch (err) {
        udp.close();
        const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (port !== 0 || !inUse || attempt >= PORT_ATTEMPTS) throw err;
      }
    }
  }

  private onDatagram(udp: dgram.Socket, message: Buffer, remote: dgram.RemoteInfo): void {
    try {
      let response = this.cache.get(message, 'udp');
      if (!response) {
        response = respond(message, this.store, 'udp');
        if (response && CACHED_RCODES.has(response[3]! & 0xf))
          this.cache.set(message, 'udp', response);
      }
      if (response) udp.send(response, remote.port, remote.address, () => undefined);
    } catch (err) {
      // respond() does not throw; this guards the server against a bug rather than a client.
      this.log.error({ err }, 'DNS UDP query failed');
    }
  }

  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.idleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    const reader = new FrameReader();
    let queue = Promise.resolve();
    let waiting = 0;
    socket.on('data', (chunk) => {
      for (const message of reader.push(chunk)) {
        waiting++;
        if (waiting >= MAX_PIPELINED) socket.pause();
        // Answers go out in the order the queries came, one transfer never interleaving another.
        queue = queue
          .then(() => this.onStreamMessage(socket, message))
          .catch((err: unknown) => {
            this.log.error({ err }, 'DNS TCP query failed');
            socket.destroy();
          })
          .finally(() => {
            waiting--;
            if (waiting < MAX_PIPELINED && socket.isPaused()) socket.resume();
          });
      }
    });
  }

  private async onStreamMessage(socket: net.Socket, message: Buffer): Promise<void> {
    if (socket.destroyed) return;
    const decoded = decodeQuery(message);
    if (!decoded) return;
    if ('reply' in decoded) return write(socket, dnsPacket.encode(decoded.reply));
    const { query } = decoded;
    if (!isTransferQuery(query)) {
      const response = respondTo(query, this.store, 'tcp');
      return response && write(socket, response);
    }
    const client = socket.remoteAddress ?? '';
    if (!isSecondary(client, this.settings.secondaries)) {
      this.log.warn({ client, zone: query.questions?.[0]?.name }, 'zone transfer refused');
      return write(socket, dnsPacket.encode(replyTo(query, 'REFUSED')));
    }
    for (const packet of transferMessages(query, this.store)) {
      if (socket.destroyed) return;
      await write(socket, dnsPacket.encode(packet));
    }
  }
}

/** Writes one framed message, waiting for the socket to drain when its buffer is full. */
async function write(socket: net.Socket, message: Buffer): Promise<void> {
  if (socket.destroyed) return;
  if (!socket.write(frame(message))) {
    await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
  }
}

import { connect as tcpConnect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { TlsTrust } from '../hypervisor/port.js';
import { agentFor } from '../hypervisor/proxmox/pinned-agent.js';

/**
 * Where a VNC server's bytes go. `release` says the chunk's memory may be reused: call it once
 * the chunk has been written out (or dropped). Until then the channel does not read into it.
 */
export type VncListener = (chunk: Buffer, release: () => void) => void;

/**
 * A byte connection to a VM's VNC server, whichever way the node offers it: raw TCP, or
 * binary websocket messages. Bytes that arrive while nobody listens are kept for the next
 * listener.
 */
export interface VncChannel {
  /** Where the server's bytes go from now on (null: keep them until a listener comes). */
  onData(listener: VncListener | null): void;
  /** Sends bytes; false when the connection's buffer is full (wait for `onceDrained`). */
  write(bytes: Buffer): boolean;
  onceDrained(listener: () => void): void;
  /** Stops reading from the server (its own buffers then fill, and it slows down). */
  pause(): void;
  resume(): void;
  onceClosed(listener: () => void): void;
  close(): void;
}

/**
 * How much one read from a TCP VNC server may take. Node's default 64 KiB cuts a full-screen
 * update (a megabyte and more, Raw) into many small frames; bigger reads mean fewer system
 * calls and websocket frames, for the proxy and for the browser.
 */
const READ_BUFFER_BYTES = 1024 * 1024;
/** Reads smaller than this are copied out, so that a few bytes never hold a whole buffer. */
const COPY_BELOW_BYTES = 64 * 1024;
/** Read buffers handed on and not yet released beyond which reading pauses (backpressure). */
const MAX_BUFFERS_IN_FLIGHT = 4;

/** Bytes queued towards a websocket VNC server beyond which `write` says wait. */
const WEBSOCKET_HIGH_WATER_MARK = 256 * 1024;

const noop = () => {};

abstract class BaseChannel {
  private listener: VncListener | null = null;
  private kept: Buffer[] = [];

  onData(listener: VncListener | null): void {
    this.listener = listener;
    if (!listener) return;
    const kept = this.kept;
    this.kept = [];
    for (const chunk of kept) listener(chunk, noop);
  }

  protected received(chunk: Buffer, release: () => void): void {
    if (this.listener) return this.listener(chunk, release);
    this.kept.push(Buffer.from(chunk));
    release();
  }
}

/**
 * A TCP connection that reads into a few reused buffers of its own (Node's `onread`) instead
 * of a fresh allocation a read: at hundreds of megabytes a second, those allocations cost
 * the process more in garbage collection than the relaying itself.
 */
class TcpChannel extends BaseChannel implements VncChannel {
  readonly socket: Socket;
  private readonly free: Buffer[] = [];
  private inFlight = 0;
  private pausedByListener = false;

  constructor(host: string, port: number) {
    super();
    let reading: Buffer;
    this.socket = tcpConnect({
      host,
      port,
      onread: {
        // Called before every read: the buffer it answers is the one the callback gets.
        buffer: () => (reading = this.free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES)),
        callback: (bytes: number) => {
          const buffer = reading;
          if (bytes < COPY_BELOW_BYTES) {
            const chunk = Buffer.from(buffer.subarray(0, bytes));
            this.free.push(buffer);
            this.received(chunk, noop);
            return true;
          }
          this.inFlight += 1;
          let released = false;
          this.received(buffer.subarray(0, bytes), () => {
            if (released) return;
            released = true;
            this.inFlight -= 1;
            if (this.free.length < MAX_BUFFERS_IN_FLIGHT) this.free.push(buffer);
            this.applyPause();
          });
          this.applyPause();
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
  }

  private applyPause(): void {
    if (this.socket.destroyed) return;
    if (this.pausedByListener || this.inFlight >= MAX_BUFFERS_IN_FLIGHT) this.socket.pause();
    else this.socket.resume();
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }
  onceDrained(listener: () => void): void {
    this.socket.once('drain', listener);
  }
  pause(): void {
    this.pausedByListener = true;
    this.applyPause();
  }
  resume(): void {
    this.pausedByListener = false;
    this.applyPause();
  }
  onceClosed(listener: () => void): void {
    if (this.socket.destroyed) queueMicrotask(listener);
    else this.socket.once('close', listener);
  }
  close(): void {
    this.socket.destroy();
  }
}

class WebSocketChannel extends BaseChannel implements VncChannel {
  private drained: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (data: Buffer) => this.received(data, noop));
  }

  write(bytes: Buffer): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return true;
    if (this.ws.bufferedAmount + bytes.length < WEBSOCKET_HIGH_WATER_MARK) {
      this.ws.send(bytes, { binary: true });
      return true;
    }
    this.ws.send(bytes, { binary: true }, () => {
      for (const listener of this.drained.splice(0)) listener();
    });
    return false;
  }
  onceDrained(listener: () => void): void {
    this.drained.push(listener);
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
  onceClosed(listener: () => void): void {
    if (this.ws.readyState === WebSocket.CLOSED) queueMicrotask(listener);
    else this.ws.once('close', listener);
  }
  close(): void {
    this.ws.terminate();
  }
}

/** A TCP connection to an RFB server; fails after `timeoutMs`. */
export function connectTcp(host: string, port: number, timeoutMs: number): Promise<VncChannel> {
  return new Promise((resolve, reject) => {
    const channel = new TcpChannel(host, port);
    const { socket } = channel;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to the VNC server timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      // Later errors end in 'close', which the relay acts on.
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve(channel);
    });
  });
}

/**
 * A websocket to a node's VNC endpoint (Proxmox's vncwebsocket speaks the `binary`
 * subprotocol), with the given headers and TLS trust; fails after `timeoutMs`.
 */
export function connectWebSocket(
  url: string,
  headers: Record<string, string>,
  tls: TlsTrust | undefined,
  timeoutMs: number,
): Promise<VncChannel> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary'], {
      headers,
      agent: url.startsWith('wss:') ? agentFor(tls ?? {}) : undefined,
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
    });
    ws.binaryType = 'nodebuffer';
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      const status = `${res.statusCode ?? ''} ${res.statusMessage ?? ''}`.trim();
      reject(new Error(`the node refused the console websocket: HTTP ${status}`));
    });
    ws.on('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => ws.terminate());
      resolve(new WebSocketChannel(ws));
    });
  });
}

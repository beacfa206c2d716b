import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PixelFormat } from '../../src/compute/hypervisor/simulator/rfb/pixel-format.js';

/** A pixel format as RFB sends it (RFC 6143 §7.4); the client decodes it on its own. */
export type RfbPixelFormat = PixelFormat;

export interface RfbRect {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: number;
  pixels: Buffer;
}

export interface RfbHandshake {
  /** The server's ProtocolVersion line, e.g. `RFB 003.008\n`. */
  serverVersion: string;
  /** The security types offered (3.7+), or the one chosen by the server (3.3). */
  securityTypes: number[];
  /** The SecurityResult word (3.8 only). */
  securityResult: number | null;
}

/** Reads exact byte counts from a socket, waiting for them to arrive. */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;

  constructor(socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiting?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiting?.();
    });
  }

  async read(n: number, timeoutMs = 5_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffered.length < n) {
      if (this.ended) throw new Error(`connection closed with ${this.buffered.length}/${n} bytes`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} bytes`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiting = null;
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  get pending(): number {
    return this.buffered.length;
  }
}

function decodeFormat(b: Buffer): RfbPixelFormat {
  return {
    bitsPerPixel: b[0]!,
    depth: b[1]!,
    bigEndian: b[2] !== 0,
    trueColour: b[3] !== 0,
    redMax: b.readUInt16BE(4),
    greenMax: b.readUInt16BE(6),
    blueMax: b.readUInt16BE(8),
    redShift: b[10]!,
    greenShift: b[11]!,
    blueShift: b[12]!,
  };
}

/**
 * A small RFB client for tests: speaks 3.3, 3.7 or 3.8 with security None, sends the
 * client messages raw and reads FramebufferUpdates of Raw rectangles.
 */
export class RfbClient {
  width = 0;
  height = 0;
  name = '';
  format!: RfbPixelFormat;
  handshake!: RfbHandshake;
  readonly closed: Promise<void>;
  private readonly reader: ByteReader;

  private constructor(private readonly socket: Duplex) {
    this.reader = new ByteReader(socket);
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
  }

  /** Connects and completes the handshake through ServerInit. */
  static async connect(
    port: number,
    options: { host?: string; version?: '3.3' | '3.7' | '3.8' } = {},
  ): Promise<RfbClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: options.host ?? '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new RfbClient(socket);
    await client.greet(options.version ?? '3.8');
    return client;
  }

  /** Completes the handshake over a byte stream already open (a websocket through the console proxy). */
  static async over(
    stream: Duplex,
    options: { version?: '3.3' | '3.7' | '3.8' } = {},
  ): Promise<RfbClient> {
    const client = new RfbClient(stream);
    await client.greet(options.version ?? '3.8');
    return client;
  }

  private async greet(version: '3.3' | '3.7' | '3.8'): Promise<void> {
    const serverVersion = (await this.reader.read(12)).toString('latin1');
    this.socket.write(`RFB 003.00${version.slice(2)}\n`);
    let securityTypes: number[];
    let securityResult: number | null = null;
    if (version === '3.3') {
      securityTypes = [(await this.reader.read(4)).readUInt32BE(0)];
    } else {
      const count = (await this.reader.read(1))[0]!;
      securityTypes = [...(await this.reader.read(count))];
      this.socket.write(Buffer.from([1]));
      if (version === '3.8') securityResult = (await this.reader.read(4)).readUInt32BE(0);
    }
    this.handshake = { serverVersion, securityTypes, securityResult };
    this.socket.write(Buffer.from([1])); // ClientInit, shared
    const init = await this.reader.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.format = decodeFormat(init.subarray(4, 20));
    const nameLength = init.readUInt32BE(20);
    this.name = (await this.reader.read(nameLength)).toString('utf8');
  }

  setPixelFormat(format: RfbPixelFormat): void {
    const m = Buffer.alloc(20);
    m[0] = 0;
    m[4] = format.bitsPerPixel;
    m[5] = format.depth;
    m[6] = format.bigEndian ? 1 : 0;
    m[7] = format.trueColour ? 1 : 0;
    m.writeUInt16BE(format.redMax, 8);
    m.writeUInt16BE(format.greenMax, 10);
    m.writeUInt16BE(format.blueMax, 12);
    m[14] = format.redShift;
    m[15] = format.greenShift;
    m[16] = format.blueShift;
    this.socket.write(m);
    this.format = format;
  }

  setEncodings(encodings: number[]): void {
    const m = Buffer.alloc(4 + 4 * encodings.length);
    m[0] = 2;
    m.writeUInt16BE(encodings.length, 2);
    encodings.forEach((e, i) => m.writeInt32BE(e, 4 + 4 * i));
    this.socket.write(m);
  }

  requestUpdate(
    incremental: boolean,
    rect = { x: 0, y: 0, width: this.width, height: this.height },
  ): void {
    const m = Buffer.alloc(10);
    m[0] = 3;
    m[1] = incremental ? 1 : 0;
    m.writeUInt16BE(rect.x, 2);
    m.writeUInt16BE(rect.y, 4);
    m.writeUInt16BE(rect.width, 6);
    m.writeUInt16BE(rect.height, 8);
    this.socket.write(m);
  }

  key(down: boolean, keysym: number): void {
    const m = Buffer.alloc(8);
    m[0] = 4;
    m[1] = down ? 1 : 0;
    m.writeUInt32BE(keysym, 4);
    this.socket.write(m);
  }

  /** Presses and releases the keys of `text` (printable ASCII keysyms equal their codes). */
  type(text: string): void {
    for (const ch of text) {
      this.key(true, ch.charCodeAt(0));
      this.key(false, ch.charCodeAt(0));
    }
  }

  pointer(buttons: number, x: number, y: number): void {
    const m = Buffer.alloc(6);
    m[0] = 5;
    m[1] = buttons;
    m.writeUInt16BE(x, 2);
    m.writeUInt16BE(y, 4);
    this.socket.write(m);
  }

  cutText(text: string): void {
    const body = Buffer.from(text, 'latin1');
    const m = Buffer.alloc(8);
    m[0] = 6;
    m.writeUInt32BE(body.length, 4);
    this.socket.write(Buffer.concat([m, body]));
  }

  /** Sends bytes as they are (to test how the server takes malformed input). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Reads one server message, which must be a FramebufferUpdate, with its rectangles. */
  async readUpdate(timeoutMs = 5_000): Promise<RfbRect[]> {
    const head = await this.reader.read(4, timeoutMs);
    if (head[0] !== 0) throw new Error(`expected FramebufferUpdate, got message type ${head[0]}`);
    const rects: RfbRect[] = [];
    const bytes = this.format.bitsPerPixel / 8;
    for (let i = 0, n = head.readUInt16BE(2); i < n; i++) {
      const r = await this.reader.read(12, timeoutMs);
      const rect = {
        x: r.readUInt16BE(0),
        y: r.readUInt16BE(2),
        width: r.readUInt16BE(4),
        height: r.readUInt16BE(6),
        encoding: r.readInt32BE(8),
      };
      if (rect.encoding !== 0) throw new Error(`unexpected encoding ${rect.encoding}`);
      const pixels = Buffer.from(
        await this.reader.read(rect.width * rect.height * bytes, timeoutMs),
      );
      rects.push({ ...rect, pixels });
    }
    return rects;
  }

  /** True when no byte from the server is waiting to be read. */
  get idle(): boolean {
    return this.reader.pending === 0;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A client-side copy of the screen, in the client's pixel format, that updates paint. */
export class RfbCanvas {
  readonly pixels: Buffer;
  private readonly bytes: number;

  constructor(
    readonly width: number,
    readonly height: number,
    bitsPerPixel: number,
  ) {
    this.bytes = bitsPerPixel / 8;
    this.pixels = Buffer.alloc(width * height * this.bytes);
  }

  paint(rects: RfbRect[]): void {
    for (const r of rects) {
      for (let row = 0; row < r.height; row++) {
        r.pixels.copy(
          this.pixels,
          ((r.y + row) * this.width + r.x) * this.bytes,
          row * r.width * this.bytes,
          (row + 1) * r.width * this.bytes,
        );
      }
    }
  }

  /** The bytes of the region (x, y, width, height), row after row. */
  region(x: number, y: number, width: number, height: number): Buffer {
    const out = Buffer.alloc(width * height * this.bytes);
    for (let row = 0; row < height; row++) {
      const start = ((y + row) * this.width + x) * this.bytes;
      this.pixels.copy(out, row * width * this.bytes, start, start + width * this.bytes);
    }
    return out;
  }
}

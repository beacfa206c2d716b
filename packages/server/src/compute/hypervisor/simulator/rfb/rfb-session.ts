import type { Socket } from 'node:net';
import {
  SERVER_PIXEL_FORMAT,
  decodePixelFormat,
  encodePixelFormat,
  rawPixels,
  unsupportedReason,
  type PixelFormat,
} from './pixel-format.js';

/** What an RFB server shows and where the keyboard goes. */
export interface RfbDisplay {
  readonly width: number;
  readonly height: number;
  /** 32-bit 0x00RRGGBB pixels in the host's byte order, row by row (SERVER_PIXEL_FORMAT). */
  readonly framebuffer: Buffer;
  /** The desktop name announced in ServerInit. */
  readonly name: string;
  /** Subscribes to changes of framebuffer rows [top, bottom); returns the unsubscribe. */
  onChange(listener: (top: number, bottom: number) => void): () => void;
  key(down: boolean, keysym: number): void;
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const SECURITY_NONE = 1;
const ENCODING_RAW = 0;

/** Client-to-server message types (RFC 6143 §7.5). */
const Message = {
  setPixelFormat: 0,
  setEncodings: 2,
  framebufferUpdateRequest: 3,
  keyEvent: 4,
  pointerEvent: 5,
  clientCutText: 6,
} as const;

/**
 * One client of an RFB 3.8 server (RFC 6143), also speaking 3.3 and 3.7, with security type
 * None. Every update is Raw-encoded in the client's pixel format; an incremental request
 * waits until something on the screen changes, so an idle console sends nothing.
 */
export class RfbSession {
  private stage: 'version' | 'security' | 'clientInit' | 'messages' = 'version';
  private minor = 8;
  private buffered: Buffer = Buffer.alloc(0);
  /** Bytes of client cut text still to be read and dropped. */
  private skipping = 0;
  private format: PixelFormat = SERVER_PIXEL_FORMAT;
  /** One flag a framebuffer row: changed since this client last received it. */
  private readonly dirty: Uint8Array;
  private pending: Rect | null = null;
  private flushScheduled = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly display: RfbDisplay,
  ) {
    this.dirty = new Uint8Array(display.height).fill(1);
    this.unsubscribe = display.onChange((top, bottom) => this.changed(top, bottom));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.unsubscribe());
    socket.write('RFB 003.008\n');
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (this.skipping > 0) {
        const dropped = Math.min(this.skipping, this.buffered.length);
        this.skipping -= dropped;
        this.buffered = this.buffered.subarray(dropped);
        if (this.skipping > 0) return;
      }
      if (this.socket.destroyed) return;
      const used = this.step(this.buffered);
      if (used === 0) return;
      this.buffered = this.buffered.subarray(used);
    }
  }

  /** Handles the one message at the start of `data`; returns the bytes it used, 0 when incomplete. */
  private step(data: Buffer): number {
    switch (this.stage) {
      case 'version':
        return this.readVersion(data);
      case 'security':
        return this.readSecurity(data);
      case 'clientInit':
        return this.readClientInit(data);
      case 'messages':
        return this.readMessage(data);
    }
  }

  private readVersion(data: Buffer): number {
    if (data.length < 12) return 0;
    const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(data.subarray(0, 12).toString('latin1'));
    if (!match || Number(match[1]) !== 3) {
      this.socket.destroy();
      return 0;
    }
    // RFC 6143 §7.1.1: an unknown minor version below 7 is taken as 3.3; 3.889 (Apple) as 3.8.
    const minor = Number(match[2]);
    this.minor = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
    if (this.minor === 3) {
      // 3.3: the server decides the security type; None has no SecurityResult.
      const type = Buffer.alloc(4);
      type.writeUInt32BE(SECURITY_NONE);
      this.socket.write(type);
      this.stage = 'clientInit';
    } else {
      this.socket.write(Buffer.from([1, SECURITY_NONE]));
      this.stage = 'security';
    }
    return 12;
  }

  private readSecurity(data: Buffer): number {
    if (data.length < 1) return 0;
    if (data[0] !== SECURITY_NONE) {
      if (this.minor === 8) {
        const reason = Buffer.from('Only security type None is offered', 'latin1');
        const head = Buffer.alloc(8);
        head.writeUInt32BE(1, 0);
        head.writeUInt32BE(reason.length, 4);
        this.socket.end(Buffer.concat([head, reason]));
      } else {
        this.socket.destroy();
      }
      return 0;
    }
    // 3.7 sends no SecurityResult for None; 3.8 always does.
    if (this.minor === 8) this.socket.write(Buffer.alloc(4));
    this.stage = 'clientInit';
    return 1;
  }

  private readClientInit(data: Buffer): number {
    if (data.length < 1) return 0;
    // The shared flag is ignored: every client shares the one screen.
    const name = Buffer.from(this.display.name, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt16BE(this.display.width, 0);
    head.writeUInt16BE(this.display.height, 2);
    const nameLength = Buffer.alloc(4);
    nameLength.writeUInt32BE(name.length);
    this.socket.write(
      Buffer.concat([head, encodePixelFormat(SERVER_PIXEL_FORMAT), nameLength, name]),
    );
    this.stage = 'messages';
    return 1;
  }

  private readMessage(data: Buffer): number {
    switch (data[0]) {
      case undefined:
        return 0;
      case Message.setPixelFormat: {
        if (data.length < 20) return 0;
        const format = decodePixelFormat(data.subarray(4, 20));
        // RFB has no way to refuse a pixel format but to close the connection.
        if (unsupportedReason(format) !== null) {
          this.socket.destroy();
          return 0;
        }
        this.format = format;
        this.dirty.fill(1);
        return 20;
      }
      case Message.setEncodings: {
        // Raw is always used; every client supports it, and it is all the server sends.
        if (data.length < 4) return 0;
        const length = 4 + 4 * data.readUInt16BE(2);
        return data.length < length ? 0 : length;
      }
      case Message.framebufferUpdateRequest: {
        if (data.length < 10) return 0;
        this.requested(data[1] !== 0, {
          x: data.readUInt16BE(2),
          y: data.readUInt16BE(4),
          width: data.readUInt16BE(6),
          height: data.readUInt16BE(8),
        });
        return 10;
      }
      case Message.keyEvent:
        if (data.length < 8) return 0;
        this.display.key(data[1] !== 0, data.readUInt32BE(4));
        return 8;
      case Message.pointerEvent:
        return data.length < 6 ? 0 : 6;
      case Message.clientCutText: {
        if (data.length < 8) return 0;
        // A negative length is the Extended Clipboard's; its payload is skipped alike.
        this.skipping = Math.abs(data.readInt32BE(4));
        return 8;
      }
      default:
        // An unknown message's length cannot be known: the stream is lost.
        this.socket.destroy();
        return 0;
    }
  }

  private requested(incremental: boolean, want: Rect): void {
    const rect = this.clip(want);
    if (!incremental) {
      this.pending = null;
      this.send(rect.width > 0 && rect.height > 0 ? [rect] : []);
      return;
    }
    this.pending = rect;
    this.flush();
  }

  private changed(top: number, bottom: number): void {
    this.dirty.fill(1, top, bottom);
    if (this.pending === null || this.flushScheduled) return;
    // Several changes in one turn (a line typed, a boot) go out as one update.
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Answers the pending incremental request when rows inside it have changed. */
  private flush(): void {
    const rect = this.pending;
    if (rect === null || this.socket.destroyed) return;
    const rects: Rect[] = [];
    let bandTop = -1;
    for (let row = rect.y; row <= rect.y + rect.height; row++) {
      const isDirty = row < rect.y + rect.height && this.dirty[row] === 1;
      if (isDirty && bandTop < 0) bandTop = row;
      if (!isDirty && bandTop >= 0) {
        rects.push({ x: rect.x, y: bandTop, width: rect.width, height: row - bandTop });
        bandTop = -1;
      }
    }
    if (rects.length === 0 || rect.width === 0) return;
    this.pending = null;
    this.send(rects);
  }

  private send(rects: Rect[]): void {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(rects.length, 2);
    this.socket.cork();
    this.socket.write(head);
    for (const rect of rects) {
      const rectHead = Buffer.alloc(12);
      rectHead.writeUInt16BE(rect.x, 0);
      rectHead.writeUInt16BE(rect.y, 2);
      rectHead.writeUInt16BE(rect.width, 4);
      rectHead.writeUInt16BE(rect.height, 6);
      rectHead.writeInt32BE(ENCODING_RAW, 8);
      this.socket.write(rectHead);
      this.socket.write(rawPixels(this.display.framebuffer, this.display.width, rect, this.format));
      // Rows sent whole are up to date on the client; a narrower rectangle leaves them marked.
      if (rect.x === 0 && rect.width === this.display.width) {
        this.dirty.fill(0, rect.y, rect.y + rect.height);
      }
    }
    this.socket.uncork();
  }

  private clip(rect: Rect): Rect {
    const x = Math.min(rect.x, this.display.width);
    const y = Math.min(rect.y, this.display.height);
    return {
      x,
      y,
      width: Math.min(rect.width, this.display.width - x),
      height: Math.min(rect.height, this.display.height - y),
    };
  }
}

import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RfbServer } from './rfb-server.js';
import type { RfbDisplay } from './rfb-session.js';

/** A 4×2 display: left half red, right half blue; records the keys it is sent. */
class FakeDisplay implements RfbDisplay {
  readonly width = 4;
  readonly height = 2;
  readonly name = 'fake';
  readonly framebuffer = Buffer.alloc(4 * 2 * 4);
  readonly keys: Array<[boolean, number]> = [];
  private listener: ((top: number, bottom: number) => void) | null = null;

  constructor() {
    for (let i = 0; i < 8; i++)
      this.framebuffer.writeUInt32LE(i % 4 < 2 ? 0xff0000 : 0x0000ff, i * 4);
  }
  onChange(listener: (top: number, bottom: number) => void): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }
  key(down: boolean, keysym: number): void {
    this.keys.push([down, keysym]);
  }
  /** Paints row `y` green and says so. */
  paintRow(y: number): void {
    for (let x = 0; x < 4; x++) this.framebuffer.writeUInt32LE(0x00ff00, (y * 4 + x) * 4);
    this.listener?.(y, y + 1);
  }
}

const servers: RfbServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(display: RfbDisplay): Promise<RfbServer> {
  const server = await RfbServer.listen(display, '127.0.0.1');
  servers.push(server);
  return server;
}

/** A raw connection collecting every byte the server sends. */
async function open(
  port: number,
): Promise<{ socket: Socket; received: () => Buffer; until: (n: number) => Promise<Buffer> }> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let data = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
  await new Promise((resolve) => socket.once('connect', resolve));
  const until = async (n: number): Promise<Buffer> => {
    for (let i = 0; i < 200 && data.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    return data;
  };
  return { socket, received: () => data, until };
}

/** Sends bytes one at a time, each in its own TCP write, to test reassembly. */
async function trickle(socket: Socket, bytes: Buffer): Promise<void> {
  for (const b of bytes) {
    socket.write(Buffer.from([b]));
    await new Promise((r) => setImmediate(r));
  }
}

const HANDSHAKE = 12 + 2 + 4 + 24 + 'fake'.length;

describe('RFB server', () => {
  it('handles every message even when it arrives one byte at a time', async () => {
    const display = new FakeDisplay();
    const server = await serve(display);
    const c = await open(server.port);
    await trickle(c.socket, Buffer.from('RFB 003.008\n'));
    await c.until(14);
    await trickle(c.socket, Buffer.from([1, 1]));
    const init = (await c.until(HANDSHAKE)).subarray(18);
    expect(init.readUInt16BE(0)).toBe(4);
    expect(init.readUInt16BE(2)).toBe(2);
    expect(init.subarray(24).toString()).toBe('fake');

    const setEncodings = Buffer.from([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21]);
    const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x41]);
    const cut = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('abc')]);
    const pointer = Buffer.from([5, 0, 0, 1, 0, 1]);
    const request = Buffer.from([3, 0, 0, 0, 0, 0, 0, 4, 0, 2]);
    await trickle(c.socket, Buffer.concat([setEncodings, key, cut, pointer, request]));
    const update = (await c.until(HANDSHAKE + 4 + 12 + 32)).subarray(HANDSHAKE);
    expect([...update.subarray(0, 16)]).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0]);
    expect(update.subarray(16)).toEqual(display.framebuffer);
    expect(display.keys).toEqual([[true, 0x41]]);
  });

  it('answers an incremental request only when rows inside it change, with just those rows', async () => {
    const display = new FakeDisplay();
    const server = await serve(display);
    const c = await open(server.port);
    c.socket.write('RFB 003.008\n');
    c.socket.write(Buffer.from([1, 1]));
    await c.until(HANDSHAKE);
    // The first request gets everything: the client has nothing yet.
    c.socket.write(Buffer.from([3, 1, 0, 0, 0, 0, 0, 4, 0, 2]));
    await c.until(HANDSHAKE + 48);
    c.socket.write(Buffer.from([3, 1, 0, 0, 0, 0, 0, 4, 0, 2]));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.received().length).toBe(HANDSHAKE + 48);

    display.paintRow(1);
    const update = (await c.until(HANDSHAKE + 48 + 16 + 16)).subarray(HANDSHAKE + 48);
    expect([...update.subarray(0, 16)]).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 4, 0, 1, 0, 0, 0, 0]);
    expect(update.subarray(16)).toEqual(display.framebuffer.subarray(16));
  });

  it('tells a 3.8 client that asks for another security type why it is refused', async () => {
    const server = await serve(new FakeDisplay());
    const c = await open(server.port);
    c.socket.write('RFB 003.008\n');
    c.socket.write(Buffer.from([2]));
    await new Promise((resolve) => c.socket.once('close', resolve));
    const reply = c.received().subarray(14);
    expect(reply.readUInt32BE(0)).toBe(1);
    expect(reply.subarray(8).toString()).toBe('Only security type None is offered');
  });

  it('hangs up on a client that does not speak RFB 3.x', async () => {
    const server = await serve(new FakeDisplay());
    const c = await open(server.port);
    c.socket.write('GET / HTTP/1.1\r\n\r\n');
    await new Promise((resolve) => c.socket.once('close', resolve));
    expect(server.clients).toBe(0);
  });

  it('closing the server drops its clients and frees the port', async () => {
    const server = await serve(new FakeDisplay());
    const c = await open(server.port);
    await c.until(12);
    expect(server.clients).toBe(1);
    const closed = new Promise((resolve) => c.socket.once('close', resolve));
    await server.close();
    servers.splice(0);
    await closed;
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: server.port });
      s.on('connect', () => (s.destroy(), resolve(false)));
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

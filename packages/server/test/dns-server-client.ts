/**
 * A small DNS client for the DNS server tests: dns-packet over dgram and net, on loopback.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import dnsPacket, { type DecodedPacket, type Packet, type Question } from 'dns-packet';

export type Response = DecodedPacket & { rcode: string; opcode: string };

export interface QueryOptions {
  id?: number;
  /** Sends an OPT record with this payload size (and version, default 0). */
  edns?: { udpPayloadSize: number; version?: number };
  flags?: number;
  cls?: Question['class'];
}

/** A query packet for `name`/`type`. */
export function query(
  name: string,
  type: Question['type'] | 'ANY',
  options: QueryOptions = {},
): Packet {
  return {
    id: options.id ?? Math.floor(Math.random() * 0x10000),
    type: 'query',
    flags: options.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as Question['type'], class: options.cls ?? 'IN' }],
    additionals: options.edns
      ? [
          {
            name: '.',
            type: 'OPT',
            udpPayloadSize: options.edns.udpPayloadSize,
            extendedRcode: 0,
            ednsVersion: options.edns.version ?? 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [],
  };
}

/** Sends raw bytes over UDP; resolves with the reply, or undefined after `timeoutMs`. */
export function udpExchange(
  port: number,
  message: Buffer,
  timeoutMs = 1_000,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => done(reply));
    socket.send(message, port, '127.0.0.1');
  });
}

/** Sends `packet` over UDP and decodes the reply; throws when none comes. */
export async function udpQuery(port: number, packet: Packet): Promise<Response & { size: number }> {
  const reply = await udpExchange(port, dnsPacket.encode(packet));
  if (!reply) throw new Error('no UDP reply');
  return { ...(dnsPacket.decode(reply) as Response), size: reply.length };
}

/** One TCP connection to the server, reading length-framed replies as they come. */
export class TcpClient {
  private buffered = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 2) {
        const length = this.buffered.readUInt16BE(0);
        if (this.buffered.length < 2 + length) break;
        this.frames.push(this.buffered.subarray(2, 2 + length));
        this.buffered = this.buffered.subarray(2 + length);
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<TcpClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TcpClient(socket);
  }

  /** Writes `packet` with its length prefix (or raw bytes as they are). */
  send(packet: Packet | Buffer): void {
    this.socket.write(Buffer.isBuffer(packet) ? packet : dnsPacket.streamEncode(packet));
  }

  /** The next reply frame; throws after `timeoutMs` or when the server closes first. */
  async nextFrame(timeoutMs = 2_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no TCP reply');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.frames.shift()!;
  }

  async next(timeoutMs?: number): Promise<Response> {
    return dnsPacket.decode(await this.nextFrame(timeoutMs)) as Response;
  }

  /** Resolves when the server closes the connection; rejects after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends `packet` on a fresh TCP connection and decodes the one reply. */
export async function tcpQuery(port: number, packet: Packet): Promise<Response> {
  const client = await TcpClient.connect(port);
  try {
    client.send(packet);
    return await client.next();
  } finally {
    client.close();
  }
}

/** Every message of a zone transfer, read until the closing SOA (or an error reply). */
export async function transfer(
  port: number,
  packet: Packet,
): Promise<{ messages: Response[]; sizes: number[] }> {
  const client = await TcpClient.connect(port);
  const messages: Response[] = [];
  const sizes: number[] = [];
  try {
    client.send(packet);
    let soas = 0;
    while (soas < 2) {
      const raw = await client.nextFrame(5_000);
      const message = dnsPacket.decode(raw) as Response;
      messages.push(message);
      sizes.push(raw.length);
      if (message.rcode !== 'NOERROR') break;
      soas += (message.answers ?? []).filter((a) => a.type === 'SOA').length;
      // An IXFR answered with a single SOA (the client is up to date) ends there.
      if (
        messages.length === 1 &&
        message.answers?.length === 1 &&
        packet.questions?.[0]?.type === 'IXFR'
      )
        break;
    }
    return { messages, sizes };
  } finally {
    client.close();
  }
}

/** Runs `dig` with `args`, returning its standard output. */
export async function dig(port: number, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('dig', [
    '@127.0.0.1',
    '-p',
    String(port),
    '+time=2',
    '+tries=1',
    ...args,
  ]);
  return stdout;
}

/** Whether the `dig` command is installed (Debian's dnsutils). */
export async function commandExists(command: string): Promise<boolean> {
  try {
    await promisify(execFile)('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

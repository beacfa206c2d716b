import { SECURITY_NONE, SECURITY_VNC_AUTH, vncAuthResponse } from './vnc-auth.js';
import type { VncChannel } from './vnc-channel.js';

/** The RFB handshake failed: the VNC server refused us, or spoke something else. */
export class RfbHandshakeError extends Error {
  override name = 'RfbHandshakeError';
}

const VERSION_3_8 = 'RFB 003.008\n';

/** Reads exact byte counts from a channel during a handshake. */
class HandshakeReader {
  private buffered: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended: Error | null = null;

  constructor(private readonly channel: VncChannel) {
    channel.onData((chunk, release) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      release();
      this.wake?.();
    });
    channel.onceClosed(() => {
      this.ended ??= new RfbHandshakeError('the VNC server closed the connection');
      this.wake?.();
    });
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n) {
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** Stops listening (later bytes wait in the channel); answers how many unread bytes are left. */
  release(): number {
    this.channel.onData(null);
    return this.buffered.length;
  }
}

async function readReason(reader: HandshakeReader): Promise<string> {
  const length = (await reader.read(4)).readUInt32BE(0);
  return (await reader.read(Math.min(length, 4096))).toString('latin1');
}

/**
 * Completes the RFB handshake (RFC 6143 §7.1–7.2) with a VNC server as its client, up to
 * the point where the ClientInit is due: the version (3.8, or the server's 3.3/3.7), then
 * VNC Authentication with `password` when the server asks for it, or None. The server then
 * waits for the ClientInit, which the viewer will send.
 */
export async function authenticateUpstream(channel: VncChannel, password: string): Promise<void> {
  const reader = new HandshakeReader(channel);
  try {
    const version = (await reader.read(12)).toString('latin1');
    const match = /^RFB 003\.(\d{3})\n$/.exec(version);
    if (!match)
      throw new RfbHandshakeError(`not an RFB server (it said ${JSON.stringify(version)})`);
    const minor = Math.min(Number(match[1]), 8);
    const legacy = minor < 7;
    channel.write(Buffer.from(legacy ? 'RFB 003.003\n' : `RFB 003.00${minor}\n`, 'latin1'));

    let type: number;
    if (legacy) {
      type = (await reader.read(4)).readUInt32BE(0);
      if (type === 0)
        throw new RfbHandshakeError(`the VNC server refused: ${await readReason(reader)}`);
    } else {
      const count = (await reader.read(1))[0]!;
      if (count === 0)
        throw new RfbHandshakeError(`the VNC server refused: ${await readReason(reader)}`);
      const offered = [...(await reader.read(count))];
      if (offered.includes(SECURITY_VNC_AUTH)) type = SECURITY_VNC_AUTH;
      else if (offered.includes(SECURITY_NONE)) type = SECURITY_NONE;
      else
        throw new RfbHandshakeError(
          `the VNC server offers no usable security type (${offered.join(', ')})`,
        );
      channel.write(Buffer.from([type]));
    }

    if (type === SECURITY_VNC_AUTH) {
      channel.write(vncAuthResponse(password, await reader.read(16)));
    } else if (type !== SECURITY_NONE) {
      throw new RfbHandshakeError(
        `the VNC server chose security type ${type}, which is not supported`,
      );
    }
    // SecurityResult: always after VNC Authentication; after None only in 3.8.
    if (type === SECURITY_VNC_AUTH || minor === 8) {
      const result = (await reader.read(4)).readUInt32BE(0);
      if (result !== 0) {
        const reason = minor === 8 ? `: ${await readReason(reader)}` : '';
        throw new RfbHandshakeError(`the VNC server refused the console password${reason}`);
      }
    }
    if (reader.release() > 0) {
      // The server must wait for the ClientInit, which the viewer has not sent yet.
      throw new RfbHandshakeError('the VNC server sent bytes before ClientInit');
    }
  } finally {
    reader.release();
  }
}

/**
 * The server side of the handshake that the proxy plays towards the browser once it has
 * authenticated upstream itself: RFB 3.8 (or the client's 3.3/3.7) with security type None
 * only, so that no VNC password ever reaches the browser. Fed the browser's bytes; answers
 * what to send back, and once done, the bytes that belong to the session (its ClientInit).
 */
export class NoneSecurityGreeting {
  /** What the proxy says first. */
  readonly hello = Buffer.from(VERSION_3_8, 'latin1');
  private stage: 'version' | 'security' | 'done' = 'version';
  private minor = 8;
  private buffered: Buffer = Buffer.alloc(0);

  feed(chunk: Buffer): { reply: Buffer; done: boolean; rest: Buffer } {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const replies: Buffer[] = [];
    for (;;) {
      if (this.stage === 'version') {
        if (this.buffered.length < 12) break;
        const version = this.buffered.subarray(0, 12).toString('latin1');
        const match = /^RFB 003\.(\d{3})\n$/.exec(version);
        if (!match) throw new RfbHandshakeError('the viewer did not send an RFB 3.x version');
        // RFC 6143 §7.1.1: unknown minors below 7 are 3.3; 3.889 (Apple) is 3.8.
        const minor = Number(match[1]);
        this.minor = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
        this.buffered = this.buffered.subarray(12);
        if (this.minor === 3) {
          replies.push(u32(SECURITY_NONE));
          this.stage = 'done';
        } else {
          replies.push(Buffer.from([1, SECURITY_NONE]));
          this.stage = 'security';
        }
      } else if (this.stage === 'security') {
        if (this.buffered.length < 1) break;
        if (this.buffered[0] !== SECURITY_NONE) {
          throw new RfbHandshakeError('the viewer chose a security type that was not offered');
        }
        this.buffered = this.buffered.subarray(1);
        if (this.minor === 8) replies.push(u32(0));
        this.stage = 'done';
      } else {
        break;
      }
    }
    const done = this.stage === 'done';
    const rest = done ? this.buffered : Buffer.alloc(0);
    if (done) this.buffered = Buffer.alloc(0);
    return { reply: Buffer.concat(replies), done, rest };
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

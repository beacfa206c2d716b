import { describe, expect, it } from 'vitest';
import { authenticateUpstream, NoneSecurityGreeting, RfbHandshakeError } from './rfb-handshake.js';
import { vncAuthResponse } from './vnc-auth.js';
import type { VncChannel, VncListener } from './vnc-channel.js';

/** A VNC server played by the test: it sees what the proxy writes and answers by script. */
class ScriptedServer implements VncChannel {
  readonly written: Buffer[] = [];
  private listener: VncListener | null = null;
  private closedListeners: (() => void)[] = [];
  constructor(private readonly onWrite: (bytes: Buffer, server: ScriptedServer) => void) {}

  send(bytes: Buffer | string): void {
    queueMicrotask(() => this.listener?.(Buffer.from(bytes as Buffer), () => {}));
  }
  onData(listener: VncListener | null): void {
    this.listener = listener;
  }
  write(bytes: Buffer): boolean {
    this.written.push(bytes);
    this.onWrite(bytes, this);
    return true;
  }
  onceDrained(): void {}
  pause(): void {}
  resume(): void {}
  onceClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }
  close(): void {
    for (const listener of this.closedListeners.splice(0)) listener();
  }
}

const challenge = Buffer.from('0123456789abcdef');
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** An RFB 3.8 server offering `types`, accepting the answer for `password`. */
function server38(types: number[], password: string): ScriptedServer {
  const server = new ScriptedServer((bytes, s) => {
    if (bytes.toString('latin1') === 'RFB 003.008\n') s.send(Buffer.from([types.length, ...types]));
    else if (bytes.length === 1 && bytes[0] === 2) s.send(challenge);
    else if (bytes.length === 1 && bytes[0] === 1) s.send(u32(0));
    else if (bytes.length === 16) {
      if (bytes.equals(vncAuthResponse(password, challenge))) s.send(u32(0));
      else s.send(Buffer.concat([u32(1), u32(21), Buffer.from('Authentication failed')]));
    }
  });
  server.send('RFB 003.008\n');
  return server;
}

describe('authenticating to the VNC server', () => {
  it('answers VNC Authentication with the password when the server offers it', async () => {
    const server = server38([1, 2], 'ticket-secret');
    await authenticateUpstream(server, 'ticket-secret');
    expect(server.written.map((b) => b.length)).toEqual([12, 1, 16]);
    expect(server.written[1]).toEqual(Buffer.from([2]));
  });

  it("fails with the server's reason when the password is wrong", async () => {
    const server = server38([2], 'right');
    const err = await authenticateUpstream(server, 'wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RfbHandshakeError);
    expect((err as Error).message).toMatch(/refused the console password: Authentication failed/);
  });

  it('takes security None when that is all the server offers', async () => {
    const server = server38([1], 'unused');
    await authenticateUpstream(server, 'unused');
    expect(server.written[1]).toEqual(Buffer.from([1]));
  });

  it('refuses a server that offers neither None nor VNC Authentication', async () => {
    const server = server38([19], 'x');
    await expect(authenticateUpstream(server, 'x')).rejects.toThrow(/no usable security type/);
  });

  it('speaks 3.3 to a 3.3 server, which chooses the type itself', async () => {
    const server = new ScriptedServer((bytes, s) => {
      if (bytes.toString('latin1') === 'RFB 003.003\n') {
        s.send(Buffer.concat([u32(2), challenge]));
      } else if (bytes.length === 16 && bytes.equals(vncAuthResponse('pw', challenge))) {
        s.send(u32(0));
      }
    });
    server.send('RFB 003.003\n');
    await authenticateUpstream(server, 'pw');
    expect(server.written[0]?.toString('latin1')).toBe('RFB 003.003\n');
  });

  it('fails when the server closes in the middle', async () => {
    const server = new ScriptedServer((_bytes, s) => s.close());
    server.send('RFB 003.008\n');
    await expect(authenticateUpstream(server, 'pw')).rejects.toThrow(/closed the connection/);
  });
});

describe('the handshake the proxy plays towards the viewer', () => {
  it('offers RFB 3.8 with security None only, then hands over what follows (the ClientInit)', () => {
    const greeting = new NoneSecurityGreeting();
    expect(greeting.hello.toString('latin1')).toBe('RFB 003.008\n');
    expect(greeting.feed(Buffer.from('RFB 003.008\n'))).toEqual({
      reply: Buffer.from([1, 1]),
      done: false,
      rest: Buffer.alloc(0),
    });
    expect(greeting.feed(Buffer.from([1, 1]))).toEqual({
      reply: u32(0),
      done: true,
      rest: Buffer.from([1]),
    });
  });

  it('answers a 3.7 viewer without a SecurityResult and a 3.3 viewer with the type as a word', () => {
    const v37 = new NoneSecurityGreeting();
    v37.feed(Buffer.from('RFB 003.007\n'));
    expect(v37.feed(Buffer.from([1]))).toMatchObject({ reply: Buffer.alloc(0), done: true });
    const v33 = new NoneSecurityGreeting();
    expect(v33.feed(Buffer.from('RFB 003.003\n'))).toMatchObject({ reply: u32(1), done: true });
  });

  it('takes the version in pieces', () => {
    const greeting = new NoneSecurityGreeting();
    expect(greeting.feed(Buffer.from('RFB 00')).done).toBe(false);
    expect(greeting.feed(Buffer.from('3.008\n')).reply).toEqual(Buffer.from([1, 1]));
  });

  it('refuses a viewer that asks for VNC Authentication (no password ever goes to the browser)', () => {
    const greeting = new NoneSecurityGreeting();
    greeting.feed(Buffer.from('RFB 003.008\n'));
    expect(() => greeting.feed(Buffer.from([2]))).toThrow(RfbHandshakeError);
  });
});

import { createDecipheriv, randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

/** The screen the fake's VNC server shows: small, with a pattern no blank screen has. */
export const FAKE_SCREEN = { width: 64, height: 16 } as const;

/** The fake screen's pixel at (x, y), 32-bit 0x00RRGGBB. */
export function fakePixel(x: number, y: number): number {
  return ((x * 4) << 16) | ((y * 16) << 8) | ((x + y) & 0xff);
}

/**
 * One session of a VM's VNC server as QEMU runs it behind Proxmox's vncwebsocket: RFB 3.8
 * over binary websocket frames, security type VNC Authentication only, with the vncproxy
 * ticket as the password. The response is checked by decrypting it (DES with the
 * password's bit-mirrored key) back to the challenge. After ClientInit it answers every
 * FramebufferUpdateRequest with the whole screen, Raw-encoded.
 */
export class FakeVncSession {
  authenticated = false;
  private stage: 'version' | 'security' | 'response' | 'clientInit' | 'messages' = 'version';
  private buffered: Buffer = Buffer.alloc(0);
  private readonly challenge = randomBytes(16);

  constructor(
    private readonly ws: WebSocket,
    private readonly password: string,
    private readonly name: string,
  ) {
    ws.on('message', (data: Buffer) => this.receive(data));
    ws.send(Buffer.from('RFB 003.008\n'));
  }

  /** The VM's VNC server goes away (the VM stopped). */
  close(): void {
    this.ws.close();
  }

  private receive(data: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, data]);
    for (;;) {
      const used = this.step(this.buffered);
      if (used === 0) return;
      this.buffered = this.buffered.subarray(used);
    }
  }

  private step(data: Buffer): number {
    switch (this.stage) {
      case 'version':
        if (data.length < 12) return 0;
        if (data.subarray(0, 12).toString('latin1') !== 'RFB 003.008\n') {
          this.ws.close(1002, 'fake VNC speaks 3.8 only');
          return 0;
        }
        this.ws.send(Buffer.from([1, 2])); // one type: VNC Authentication
        this.stage = 'security';
        return 12;
      case 'security':
        if (data.length < 1) return 0;
        if (data[0] !== 2) {
          this.ws.close(1002, 'security type not offered');
          return 0;
        }
        this.ws.send(this.challenge);
        this.stage = 'response';
        return 1;
      case 'response': {
        if (data.length < 16) return 0;
        if (!this.decrypt(data.subarray(0, 16)).equals(this.challenge)) {
          const reason = Buffer.from('Authentication failed');
          const head = Buffer.alloc(8);
          head.writeUInt32BE(1, 0);
          head.writeUInt32BE(reason.length, 4);
          this.ws.send(Buffer.concat([head, reason]));
          this.ws.close();
          return 0;
        }
        this.authenticated = true;
        this.ws.send(Buffer.alloc(4));
        this.stage = 'clientInit';
        return 16;
      }
      case 'clientInit': {
        if (data.length < 1) return 0;
        const name = Buffer.from(this.name);
        const init = Buffer.alloc(24);
        init.writeUInt16BE(FAKE_SCREEN.width, 0);
        init.writeUInt16BE(FAKE_SCREEN.height, 2);
        // 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0.
        Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(init, 4);
        init.writeUInt32BE(name.length, 20);
        this.ws.send(Buffer.concat([init, name]));
        this.stage = 'messages';
        return 1;
      }
      case 'messages':
        return this.message(data);
    }
  }

  private message(data: Buffer): number {
    switch (data[0]) {
      case undefined:
        return 0;
      case 0: // SetPixelFormat (ignored: the fake always sends its own)
        return data.length < 20 ? 0 : 20;
      case 2: {
        if (data.length < 4) return 0;
        const length = 4 + 4 * data.readUInt16BE(2);
        return data.length < length ? 0 : length;
      }
      case 3:
        if (data.length < 10) return 0;
        this.sendScreen();
        return 10;
      case 4:
        return data.length < 8 ? 0 : 8;
      case 5:
        return data.length < 6 ? 0 : 6;
      default:
        this.ws.close(1002, 'unknown RFB message');
        return 0;
    }
  }

  private sendScreen(): void {
    const { width, height } = FAKE_SCREEN;
    const head = Buffer.alloc(16);
    head.writeUInt16BE(1, 2);
    head.writeUInt16BE(width, 8);
    head.writeUInt16BE(height, 10);
    const pixels = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) pixels.writeUInt32LE(fakePixel(x, y), (y * width + x) * 4);
    }
    this.ws.send(Buffer.concat([head, pixels]));
  }

  /** DES-decrypts the response with the password's VNC key (each byte's bits reversed). */
  private decrypt(response: Buffer): Buffer {
    const key = Buffer.alloc(8);
    Buffer.from(this.password, 'latin1').copy(key, 0, 0, 8);
    for (let i = 0; i < 8; i++) {
      key[i] = parseInt(key[i]!.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
    }
    // Triple DES with one key three times is single DES (OpenSSL 3 keeps DES in its legacy provider).
    const decipher = createDecipheriv('des-ede3-ecb', Buffer.concat([key, key, key]), null);
    decipher.setAutoPadding(false);
    return Buffer.concat([decipher.update(response), decipher.final()]);
  }
}

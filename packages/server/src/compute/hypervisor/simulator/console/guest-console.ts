import type { VmSpec } from '../../port.js';
import { Colour, TextScreen, type ChangeListener } from './text-screen.js';

const CURSOR_BLINK_MS = 500;
const MAX_INPUT = 64;

/** X11 keysyms the login prompt understands (RFC 6143 §7.5.4). */
const Keysym = { backSpace: 0xff08, return: 0xff0d, keypadEnter: 0xff8d } as const;

/**
 * The screen of a simulated guest: boot lines, then a `login:` prompt that echoes what is
 * typed (and, like any Linux console, refuses every password). What an RFB server shows.
 */
export class GuestConsole {
  private readonly screen = new TextScreen();
  /** The cursor blinks only while someone watches. */
  private blink: NodeJS.Timeout | undefined;
  private watchers = 0;
  private cursorOn = true;
  private stage: 'login' | 'password' = 'login';
  private input = '';

  constructor(private readonly spec: VmSpec) {
    this.boot();
  }

  get width(): number {
    return this.screen.width;
  }

  get height(): number {
    return this.screen.height;
  }

  /** 32-bit 0x00RRGGBB pixels in the host's byte order, row by row. */
  get framebuffer(): Buffer {
    return this.screen.framebuffer;
  }

  get name(): string {
    return this.spec.name;
  }

  onChange(listener: ChangeListener): () => void {
    const unsubscribe = this.screen.onChange(listener);
    if (this.watchers++ === 0) {
      this.blink = setInterval(() => {
        this.cursorOn = !this.cursorOn;
        this.screen.setCursorShown(this.cursorOn);
      }, CURSOR_BLINK_MS);
      this.blink.unref();
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      if (--this.watchers === 0) this.stopBlinking();
    };
  }

  /** The text of one row (for tests and logs). */
  rowText(row: number): string {
    return this.screen.rowText(row);
  }

  /** The guest starts again from its firmware (reboot, reset). */
  boot(): void {
    const { spec } = this;
    const ok = (text: string): void => {
      this.screen.write('[  ');
      this.screen.write('OK', Colour.green);
      this.screen.write(`  ] ${text}\n`);
    };
    this.screen.clear();
    this.screen.write('SeaBIOS (version rel-1.16.3)\n', Colour.white);
    this.screen.write('Booting from Hard Disk...\n\n');
    this.screen.write(`[    0.000000] Linux version 6.8.0 (SwiftCloud simulated guest)\n`);
    this.screen.write(
      `[    0.000000] Memory: ${spec.memoryMiB} MiB available, ${spec.cores} CPUs\n`,
    );
    this.screen.write(`[    0.812401] EXT4-fs (vda1): mounted filesystem, ${spec.diskGiB} GiB\n`);
    ok('Started systemd-journald.service - Journal Service.');
    ok('Reached target network.target - Network.');
    ok('Finished cloud-init.service - Cloud-init: Network Stage.');
    this.screen.write(
      `ci-info: eth0 ${spec.network.address} via ${spec.network.gateway}\n`,
      Colour.cyan,
    );
    ok('Started ssh.service - OpenBSD Secure Shell server.');
    ok('Reached target multi-user.target - Multi-User System.');
    this.screen.write(`\n${spec.sourceTemplate} ${spec.name} tty1\n\n`, Colour.white);
    this.prompt();
  }

  /** A key pressed (`down`) or released on the client; only presses type. */
  key(down: boolean, keysym: number): void {
    if (!down) return;
    if (keysym === Keysym.return || keysym === Keysym.keypadEnter) {
      this.enter();
    } else if (keysym === Keysym.backSpace) {
      if (this.input.length === 0) return;
      this.input = this.input.slice(0, -1);
      if (this.stage === 'login') this.screen.backspace();
    } else if (keysym >= 0x20 && keysym <= 0x7e && this.input.length < MAX_INPUT) {
      this.input += String.fromCharCode(keysym);
      if (this.stage === 'login') this.screen.write(String.fromCharCode(keysym));
    }
  }

  close(): void {
    this.stopBlinking();
  }

  private stopBlinking(): void {
    clearInterval(this.blink);
    this.blink = undefined;
    this.cursorOn = true;
    this.screen.setCursorShown(true);
  }

  private enter(): void {
    this.screen.write('\n');
    if (this.stage === 'login' && this.input !== '') {
      this.stage = 'password';
      this.input = '';
      this.screen.write('Password: ');
      return;
    }
    if (this.stage === 'password') this.screen.write('\nLogin incorrect\n');
    this.prompt();
  }

  private prompt(): void {
    this.stage = 'login';
    this.input = '';
    this.screen.write(`${this.spec.name} login: `);
  }
}

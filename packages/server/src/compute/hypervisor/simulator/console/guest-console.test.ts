import { afterEach, describe, expect, it } from 'vitest';
import type { VmSpec } from '../../port.js';
import { GuestConsole } from './guest-console.js';
import { ROWS } from './text-screen.js';

const spec: VmSpec = {
  vmid: 100,
  name: 'web-1',
  cores: 2,
  memoryMiB: 2048,
  diskGiB: 25,
  sourceTemplate: 'ubuntu-24.04',
  sshKeys: [],
  ciUser: 'ubuntu',
  network: { address: '192.0.2.10/24', gateway: '192.0.2.1', nameservers: [] },
};

const consoles: GuestConsole[] = [];
function guest(): GuestConsole {
  const g = new GuestConsole(spec);
  consoles.push(g);
  return g;
}
afterEach(() => consoles.splice(0).forEach((g) => g.close()));

function lines(g: GuestConsole): string[] {
  const out = Array.from({ length: ROWS }, (_, row) => g.rowText(row));
  while (out.at(-1) === '') out.pop();
  return out;
}

function type(g: GuestConsole, text: string): void {
  for (const ch of text) {
    g.key(true, ch.charCodeAt(0));
    g.key(false, ch.charCodeAt(0));
  }
}

const RETURN = 0xff0d;
const BACKSPACE = 0xff08;

describe('guest console', () => {
  it('boots to a login prompt naming the VM, after lines about its size and address', () => {
    const g = guest();
    const shown = lines(g);
    expect(shown[0]).toMatch(/^SeaBIOS/);
    expect(shown.join('\n')).toContain('2048 MiB available, 2 CPUs');
    expect(shown.join('\n')).toContain('eth0 192.0.2.10/24 via 192.0.2.1');
    expect(shown).toContain('ubuntu-24.04 web-1 tty1');
    expect(shown.at(-1)).toBe('web-1 login:');
  });

  it('echoes the login name, hides the password and refuses it', () => {
    const g = guest();
    type(g, 'roox');
    g.key(true, BACKSPACE);
    type(g, 't');
    expect(lines(g).at(-1)).toBe('web-1 login: root');
    g.key(true, RETURN);
    type(g, 'secret');
    expect(lines(g).at(-1)).toBe('Password:');
    g.key(true, RETURN);
    expect(lines(g).slice(-2)).toEqual(['Login incorrect', 'web-1 login:']);
  });

  it('asks again when Return is pressed on an empty login', () => {
    const g = guest();
    g.key(true, RETURN);
    expect(lines(g).slice(-2)).toEqual(['web-1 login:', 'web-1 login:']);
  });

  it('boots again from the start on reboot', () => {
    const g = guest();
    const fresh = lines(g);
    type(g, 'admin');
    g.boot();
    expect(lines(g)).toEqual(fresh);
  });

  it('tells watchers of changes, and stops when they leave', () => {
    const g = guest();
    let changes = 0;
    const stop = g.onChange(() => changes++);
    type(g, 'a');
    expect(changes).toBe(1);
    stop();
    stop();
    type(g, 'b');
    expect(changes).toBe(1);
  });
});

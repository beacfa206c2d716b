import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSshPublicKey } from './ssh-key.js';

// Real keys from OpenSSH's own ssh-keygen, so the parser is held to what customers paste.
const dir = mkdtempSync(path.join(tmpdir(), 'swiftcloud-ssh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string, type: string, bits?: number): { pub: string; priv: string } {
  const file = path.join(dir, name);
  const args = ['-q', '-t', type, '-N', '', '-C', `${name}@laptop`, '-f', file];
  if (bits) args.push('-b', String(bits));
  execFileSync('ssh-keygen', args);
  return { pub: readFileSync(`${file}.pub`, 'utf8'), priv: readFileSync(file, 'utf8') };
}

const ed25519 = keygen('ed', 'ed25519');
const rsa2048 = keygen('rsa2048', 'rsa', 2048);
const rsa1024 = keygen('rsa1024', 'rsa', 1024);

/** The base64 blob of a key line, decoded, changed by `edit`, and put back. */
function tamper(line: string, edit: (blob: Buffer) => Buffer): string {
  const [type, blob, comment] = line.trim().split(' ');
  return `${type} ${edit(Buffer.from(blob!, 'base64')).toString('base64')} ${comment}`;
}

describe('checkSshPublicKey', () => {
  it.each([
    ['ed25519', 'ssh-ed25519', 256],
    ['rsa', 'ssh-rsa', 3072],
    ['ecdsa', 'ecdsa-sha2-nistp256', 256],
  ])('accepts an %s key from ssh-keygen', (type, expected, bits) => {
    const { pub } = keygen(`accept-${type}`, type);
    const result = checkSshPublicKey(pub);
    expect(result).toMatchObject({ ok: true, key: { type: expected, bits } });
  });

  it.each([384, 521])('accepts ECDSA keys on P-%i', (bits) => {
    const { pub } = keygen(`ecdsa${bits}`, 'ecdsa', bits);
    expect(checkSshPublicKey(pub)).toMatchObject({ ok: true, key: { bits } });
  });

  it('accepts a 2048-bit RSA key and refuses a 1024-bit one, saying how many bits it has', () => {
    expect(checkSshPublicKey(rsa2048.pub)).toMatchObject({ ok: true, key: { bits: 2048 } });
    const refused = checkSshPublicKey(rsa1024.pub);
    expect(refused).toEqual({ ok: false, message: expect.stringContaining('1024 bits') });
  });

  it('keeps the comment and gives one canonical line, surrounding whitespace trimmed', () => {
    const result = checkSshPublicKey(`  ${ed25519.pub.trim()}  \n`);
    expect(result.ok && result.key.comment).toBe('ed@laptop');
    expect(result.ok && result.key.line).toBe(ed25519.pub.trim());
  });

  it.each([
    ['an OpenSSH private key', () => ed25519.priv],
    [
      'a PEM RSA private key',
      () => '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----',
    ],
    ['a PuTTY private key', () => 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none'],
  ])('refuses %s with a message saying it is a private key', (_label, key) => {
    const result = checkSshPublicKey(key());
    expect(result).toEqual({ ok: false, message: expect.stringContaining('private key') });
  });

  it.each([
    ['a truncated key', () => tamper(ed25519.pub, (b) => b.subarray(0, b.length - 5))],
    [
      'trailing bytes',
      () => tamper(ed25519.pub, (b) => Buffer.concat([b, Buffer.from([0, 0, 0, 1, 7])])),
    ],
    [
      'a type that differs from the encoded one',
      () => ed25519.pub.replace('ssh-ed25519', 'ssh-rsa'),
    ],
    [
      'an ECDSA point that is not on the curve',
      () =>
        tamper(keygen('offcurve', 'ecdsa', 256).pub, (b) => {
          const copy = Buffer.from(b);
          copy[copy.length - 1]! ^= 0x01;
          return copy;
        }),
    ],
    ['base64 that is not base64', () => 'ssh-ed25519 AAAA$$$$ me'],
  ])('refuses %s as damaged, asking for the whole line again', (_label, key) => {
    const result = checkSshPublicKey(key());
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/damaged|not base64/) });
  });

  it('refuses key types we do not accept, naming the ones we do', () => {
    const result = checkSshPublicKey('ssh-dss AAAAB3NzaC1kc3MAAACBAP me');
    expect(result).toEqual({ ok: false, message: expect.stringContaining('ssh-ed25519') });
  });

  it('refuses text that is not a key line, and several keys at once', () => {
    expect(checkSshPublicKey('hello').ok).toBe(false);
    expect(checkSshPublicKey('').ok).toBe(false);
    expect(checkSshPublicKey(`${ed25519.pub.trim()}\n${rsa2048.pub.trim()}`)).toEqual({
      ok: false,
      message: expect.stringContaining('one line'),
    });
  });
});

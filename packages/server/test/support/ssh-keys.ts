import { generateKeyPairSync } from 'node:crypto';

/** A length-prefixed field of the SSH wire format (RFC 4253 §6.6). */
function field(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An mpint: big-endian, with a leading zero when the top bit is set. */
function mpint(base64url: string): Buffer {
  const b = Buffer.from(base64url, 'base64url');
  return field(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

/**
 * A fresh OpenSSH public key line, as `ssh-keygen` writes it: Ed25519 by default, or RSA
 * of `rsaBits` (to test that weak keys are refused).
 */
export function sshPublicKey(comment = 'ada@laptop', opts: { rsaBits?: number } = {}): string {
  if (opts.rsaBits) {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: opts.rsaBits });
    const jwk = publicKey.export({ format: 'jwk' });
    const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
    return `ssh-rsa ${blob.toString('base64')} ${comment}`;
  }
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

import { createPublicKey } from 'node:crypto';

/** An OpenSSH public key that passed every check, in one canonical line. */
export interface SshPublicKey {
  type:
    | 'ssh-rsa'
    | 'ssh-ed25519'
    | 'ecdsa-sha2-nistp256'
    | 'ecdsa-sha2-nistp384'
    | 'ecdsa-sha2-nistp521';
  bits: number;
  comment: string;
  /** `<type> <base64>[ <comment>]`, as cloud-init writes it to authorized_keys. */
  line: string;
}

export type SshKeyCheck = { ok: true; key: SshPublicKey } | { ok: false; message: string };

const MIN_RSA_BITS = 2048;
const MAX_LINE = 16_384;

const CURVES = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', jwk: 'P-256', bits: 256, coordinate: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', jwk: 'P-384', bits: 384, coordinate: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', jwk: 'P-521', bits: 521, coordinate: 66 },
} as const;

/** Reads the length-prefixed fields of the SSH wire format (RFC 4253 §6.6). */
class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  field(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new Error('truncated');
    const length = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buf.length) throw new Error('truncated');
    this.offset = start + length;
    return this.buf.subarray(start, start + length);
  }

  get done(): boolean {
    return this.offset === this.buf.length;
  }
}

/** An mpint without its sign byte, as JWK wants it. */
function unsigned(mpint: Buffer): Buffer {
  let i = 0;
  while (i < mpint.length - 1 && mpint[i] === 0) i++;
  return mpint.subarray(i);
}

function publicKeyFor(type: SshPublicKey['type'], reader: WireReader): number {
  if (type === 'ssh-rsa') {
    const e = unsigned(reader.field());
    const n = unsigned(reader.field());
    createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
      format: 'jwk',
    });
    return n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
  }
  if (type === 'ssh-ed25519') {
    const x = reader.field();
    if (x.length !== 32) throw new Error('an Ed25519 key is 32 bytes');
    createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') },
      format: 'jwk',
    });
    return 256;
  }
  const curve = CURVES[type];
  if (reader.field().toString() !== curve.name)
    throw new Error('the curve does not match the key type');
  const point = reader.field();
  if (point.length !== 1 + 2 * curve.coordinate || point[0] !== 4)
    throw new Error('not an uncompressed curve point');
  const x = point.subarray(1, 1 + curve.coordinate).toString('base64url');
  const y = point.subarray(1 + curve.coordinate).toString('base64url');
  // Node refuses a point that is not on the curve.
  createPublicKey({ key: { kty: 'EC', crv: curve.jwk, x, y }, format: 'jwk' });
  return curve.bits;
}

/**
 * Checks that `text` is one OpenSSH public key of a type we accept (RSA of at least 2048
 * bits, Ed25519, ECDSA on P-256/384/521), decoding it and having Node's crypto load it, so
 * a truncated or altered key is caught here rather than by a VM that cannot be reached.
 * A pasted private key gets a message that says so.
 */
export function checkSshPublicKey(text: string): SshKeyCheck {
  const trimmed = text.trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed) || /^PuTTY-User-Key-File/.test(trimmed)) {
    return {
      ok: false,
      message:
        'This is a private key: never share it. Paste the public key instead (the .pub file, starting with ssh-ed25519 or ssh-rsa)',
    };
  }
  if (trimmed.length > MAX_LINE)
    return { ok: false, message: `An SSH public key is at most ${MAX_LINE} characters` };
  if (/[\r\n]/.test(trimmed))
    return { ok: false, message: 'Paste one SSH public key, on one line' };
  const [type, blob, ...rest] = trimmed.split(/\s+/);
  if (!type || !blob) {
    return {
      ok: false,
      message:
        'An SSH public key reads "<type> <base64 key> [comment]", e.g. ssh-ed25519 AAAAC3Nz... you@laptop',
    };
  }
  if (type !== 'ssh-rsa' && type !== 'ssh-ed25519' && !(type in CURVES)) {
    return {
      ok: false,
      message: `Key type ${type.slice(0, 40)} is not accepted; use ssh-ed25519, ssh-rsa (2048 bits or more) or ecdsa-sha2-nistp256/384/521`,
    };
  }
  const keyType = type as SshPublicKey['type'];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob))
    return { ok: false, message: 'The key part is not base64' };
  let bits: number;
  try {
    const reader = new WireReader(Buffer.from(blob, 'base64'));
    if (reader.field().toString() !== keyType)
      throw new Error('the encoded type differs from the stated one');
    bits = publicKeyFor(keyType, reader);
    if (!reader.done) throw new Error('it has trailing bytes');
  } catch (err) {
    return {
      ok: false,
      message: `The key is damaged or incomplete (${(err as Error).message}); copy the whole line again`,
    };
  }
  if (keyType === 'ssh-rsa' && bits < MIN_RSA_BITS) {
    return {
      ok: false,
      message: `This RSA key has ${bits} bits; use at least ${MIN_RSA_BITS} (or ssh-ed25519)`,
    };
  }
  const comment = rest.join(' ');
  return {
    ok: true,
    key: {
      type: keyType,
      bits,
      comment,
      line: comment ? `${type} ${blob} ${comment}` : `${type} ${blob}`,
    },
  };
}

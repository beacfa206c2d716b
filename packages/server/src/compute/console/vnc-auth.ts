import { createCipheriv } from 'node:crypto';

/** RFB security types (RFC 6143 §7.2). */
export const SECURITY_NONE = 1;
export const SECURITY_VNC_AUTH = 2;

/** One DES block (8 bytes) encrypted with an 8-byte key, ECB, as FIPS 46 defines it. */
export function desEncryptBlock(key: Buffer, block: Buffer): Buffer {
  if (key.length !== 8 || block.length !== 8)
    throw new RangeError('DES takes 8-byte keys and blocks');
  // OpenSSL 3 keeps single DES in its legacy provider, which Node 20 does not load. Triple DES
  // (EDE) with the same key three times is single DES: E_k(D_k(E_k(x))) = E_k(x).
  const cipher = createCipheriv('des-ede3-ecb', Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** Reverses the bit order of one byte (VNC builds its DES key that way). */
export function mirrorBits(byte: number): number {
  let out = 0;
  for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out |= 1 << (7 - bit);
  return out;
}

/** The DES key VNC Authentication derives from a password: 8 bytes, zero-padded, each mirrored. */
export function vncKey(password: string): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  return Buffer.from(key.map(mirrorBits));
}

/**
 * The answer to a VNC Authentication challenge (RFC 6143 §7.2.2): the 16-byte challenge
 * DES-encrypted, block by block, with the password's mirrored key. Only the first 8
 * characters of the password count, as in every VNC server.
 */
export function vncAuthResponse(password: string, challenge: Buffer): Buffer {
  if (challenge.length !== 16) throw new RangeError('the VNC challenge is 16 bytes');
  const key = vncKey(password);
  return Buffer.concat([
    desEncryptBlock(key, challenge.subarray(0, 8)),
    desEncryptBlock(key, challenge.subarray(8, 16)),
  ]);
}

import { describe, expect, it } from 'vitest';
import { desEncryptBlock, mirrorBits, vncAuthResponse, vncKey } from './vnc-auth.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('DES block', () => {
  // FIPS 46 worked example, NIST SP 800-17 known answers and the classic Rivest vectors.
  it.each([
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0101010101010101', '4000000000000000', 'DD7F121CA5015619'],
    ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900'],
    ['0000000000000000', '0000000000000000', '8CA64DE9C1B123A7'],
    ['FFFFFFFFFFFFFFFF', 'FFFFFFFFFFFFFFFF', '7359B2163E4EDC58'],
    ['FEDCBA9876543210', '0123456789ABCDEF', 'ED39D950FA74BCC4'],
  ])('key %s encrypts %s to %s', (key, plain, cipher) => {
    expect(desEncryptBlock(hex(key), hex(plain)).toString('hex').toUpperCase()).toBe(cipher);
  });

  it('refuses keys and blocks that are not 8 bytes', () => {
    expect(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8))).toThrow(RangeError);
    expect(() => desEncryptBlock(Buffer.alloc(8), Buffer.alloc(9))).toThrow(RangeError);
  });
});

describe('VNC Authentication', () => {
  it('mirrors the bits of each key byte', () => {
    expect([0x01, 0x80, 0x13, 0xf1, 0x00, 0xff].map(mirrorBits)).toEqual([
      0x80, 0x01, 0xc8, 0x8f, 0x00, 0xff,
    ]);
  });

  it("turns VNC's well-known password-file key 17 52 6B 06 23 4E 58 07 into the DES key E8 4A D6 60 C4 72 1A E0", () => {
    const password = hex('17526B06234E5807').toString('latin1');
    expect(vncKey(password).toString('hex').toUpperCase()).toBe('E84AD660C4721AE0');
  });

  it('pads short passwords with zeros and keeps only the first 8 characters', () => {
    expect(vncKey('ab')).toEqual(Buffer.from([0x86, 0x46, 0, 0, 0, 0, 0, 0]));
    expect(vncKey('abcdefghXYZ')).toEqual(vncKey('abcdefgh'));
  });

  it('answers a challenge with both halves encrypted under the mirrored key (the FIPS 46 example through VNC)', () => {
    // These password bytes mirror to the FIPS 46 example key 13 34 57 79 9B BC DF F1.
    const password = hex('C82CEA9ED93DFB8F').toString('latin1');
    const challenge = hex('0123456789ABCDEF0123456789ABCDEF');
    expect(vncAuthResponse(password, challenge).toString('hex').toUpperCase()).toBe(
      '85E813540F0AB40585E813540F0AB405',
    );
  });

  it('refuses a challenge that is not 16 bytes', () => {
    expect(() => vncAuthResponse('secret', Buffer.alloc(8))).toThrow(RangeError);
  });
});

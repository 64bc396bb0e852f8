import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha256, sha256Concat } from './hash.ts';
import { toHex, utf8 } from './encoding.ts';

describe('crypto - sha256', () => {
  it('crypto - known answers (FIPS 180-4 examples)', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('crypto - equals @noble/hashes for every length 0..300 and random inputs', () => {
    for (let n = 0; n <= 300; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 255);
      expect(toHex(sha256(b))).toBe(toHex(nobleSha256(b)));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => toHex(sha256(b)) === toHex(nobleSha256(b))), { numRuns: 200 });
    expect(toHex(sha256Concat(utf8('ab'), utf8('c')))).toBe(toHex(sha256(utf8('abc'))));
  });
});

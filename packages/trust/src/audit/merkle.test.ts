import { describe, it, expect } from 'vitest';
import { MerkleTree, leafHash, nodeHash, verifyInclusion, verifyConsistency, EMPTY_ROOT } from './merkle.ts';
import { sha256 } from '../crypto/hash.ts';
import { toHex, utf8 } from '../crypto/encoding.ts';

// Reference MTH straight from RFC 9162 §2.1.1, recursive and slow.
function mth(leaves: Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const data = Array.from({ length: 70 }, (_, i) => utf8(`leaf-${i}`));

describe('audit - merkle tree (RFC 9162)', () => {
  it('audit - the empty root is SHA-256 of the empty string', () => {
    expect(toHex(new MerkleTree().root())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(EMPTY_ROOT)).toBe(toHex(sha256(new Uint8Array(0))));
  });

  it('audit - incremental roots equal the recursive RFC definition for every size, including past sizes', () => {
    const t = new MerkleTree();
    for (let i = 0; i < data.length; i++) {
      t.appendLeaf(data[i]!);
      expect(toHex(t.root())).toBe(toHex(mth(data.slice(0, i + 1))));
    }
    for (const m of [1, 2, 3, 7, 8, 9, 33, 64]) expect(toHex(t.root(m))).toBe(toHex(mth(data.slice(0, m))));
  });

  it('audit - leaf and node hashes use the 0x00 / 0x01 prefixes', () => {
    const d = utf8('x');
    expect(toHex(leafHash(d))).toBe(toHex(sha256(Uint8Array.of(0, ...d))));
    const a = sha256(utf8('a'));
    const b = sha256(utf8('b'));
    expect(toHex(nodeHash(a, b))).toBe(toHex(sha256(Uint8Array.of(1, ...a, ...b))));
  });

  it('audit - every inclusion proof verifies for every (index, size), and fails when anything is changed', () => {
    const t = new MerkleTree();
    for (const d of data.slice(0, 21)) t.appendLeaf(d);
    for (let n = 1; n <= 21; n++) {
      const root = t.root(n);
      for (let m = 0; m < n; m++) {
        const proof = t.inclusionProof(m, n);
        const lh = leafHash(data[m]!);
        expect(verifyInclusion(lh, m, n, proof, root)).toBe(true);
        if (n > 1) {
          expect(verifyInclusion(lh, (m + 1) % n, n, proof, root)).toBe(false);
          expect(verifyInclusion(leafHash(utf8('forged')), m, n, proof, root)).toBe(false);
          expect(verifyInclusion(lh, m, n, proof.slice(0, -1), root)).toBe(false);
          expect(verifyInclusion(lh, m, n, [...proof, sha256(utf8('extra'))], root)).toBe(false);
        }
      }
    }
  });

  it('audit - out-of-range indices and sizes are EINVAL', () => {
    const t = new MerkleTree();
    t.appendLeaf(data[0]!);
    expect(() => t.root(2)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => t.inclusionProof(1, 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => t.appendLeafHash(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(verifyInclusion(leafHash(data[0]!), 1, 1, [], t.root())).toBe(false);
  });

  it('audit - consistency proofs verify for every (m, n) and fail for a forked history', () => {
    const t = new MerkleTree();
    for (const d of data.slice(0, 20)) t.appendLeaf(d);
    const fork = new MerkleTree();
    for (const d of data.slice(0, 20)) fork.appendLeaf(d === data[4] ? utf8('rewritten') : d);
    for (let n = 1; n <= 20; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = t.consistencyProof(m, n);
        expect(verifyConsistency(m, n, t.root(m), t.root(n), proof)).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, t.root(m), sha256(utf8('x')), proof)).toBe(false);
          if (m > 4) expect(verifyConsistency(m, n, fork.root(m), t.root(n), proof)).toBe(false);
          expect(verifyConsistency(m, n, t.root(m), t.root(n), proof.slice(1))).toBe(false);
        }
      }
    }
    expect(() => t.consistencyProof(0, 3)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

// Merkle tree hashed exactly as RFC 9162 §2.1 (Certificate Transparency v2): leaf = SHA-256(0x00 || d),
// node = SHA-256(0x01 || left || right), split at the largest power of two below n.
// Appends are incremental: complete aligned subtrees are hashed once and kept, so a root costs O(log n).
import { AiosError } from '@aios/abi';
import { sha256, sha256Into } from '../crypto/hash.ts';

export const HASH_BYTES = 32;
/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

const nodeBuf = new Uint8Array(1 + 2 * HASH_BYTES);
const parentOut = new Uint8Array(HASH_BYTES);
nodeBuf[0] = 0x01;

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeBuf.set(left, 1);
  nodeBuf.set(right, 1 + HASH_BYTES);
  return sha256(nodeBuf);
}

/** SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  const b = new Uint8Array(leaf.length + 1);
  b.set(leaf, 1);
  return sha256(b);
}

/** n is 1, 2, 4, ... (safe beyond 2^31, unlike bit tricks). */
function isPow2(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** Largest power of two strictly less than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A growable array of 32-byte hashes packed in one buffer (no object per hash). */
class HashArray {
  private buf = new Uint8Array(HASH_BYTES * 64);
  length = 0;
  push(h: Uint8Array): void {
    if ((this.length + 1) * HASH_BYTES > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(h, this.length * HASH_BYTES);
    this.length++;
  }
  /** A view, valid until the next push; copy it to keep it. */
  at(i: number): Uint8Array {
    return this.buf.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }
}

/**
 * Append-only RFC 9162 tree. levels[k][i] is the hash of the complete subtree over leaves
 * [i*2^k, (i+1)*2^k); every append pushes one leaf hash and completes at most log2(n) nodes
 * (one on average). Invariant: levels[k].length === floor(size / 2^k).
 */
export class MerkleTree {
  private readonly levels: HashArray[] = [new HashArray()];

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends a leaf by its leaf hash (already SHA-256(0x00 || d)); returns its index. */
  appendLeafHash(h: Uint8Array): number {
    if (h.length !== HASH_BYTES) throw new AiosError('EINVAL', 'leaf hash must be 32 bytes');
    const index = this.size;
    this.levels[0]!.push(h);
    let k = 0;
    let n = index + 1;
    // While the newest subtree at level k completes a pair, hash the pair one level up.
    while (n % 2 === 0) {
      const lvl = this.levels[k]!;
      nodeBuf.set(lvl.at(lvl.length - 2), 1);
      nodeBuf.set(lvl.at(lvl.length - 1), 1 + HASH_BYTES);
      sha256Into(nodeBuf, parentOut);
      const parent = parentOut;
      if (this.levels.length === k + 1) this.levels.push(new HashArray());
      this.levels[k + 1]!.push(parent);
      k++;
      n /= 2;
    }
    return index;
  }

  /** Appends raw leaf data; returns its index. */
  appendLeaf(data: Uint8Array): number {
    return this.appendLeafHash(leafHash(data));
  }

  leafHashAt(index: number): Uint8Array {
    this.checkRange(index, 0, this.size - 1);
    return this.levels[0]!.at(index).slice();
  }

  /** MTH of the first treeSize leaves (default: all). O(log n). */
  root(treeSize: number = this.size): Uint8Array {
    this.checkRange(treeSize, 0, this.size);
    if (treeSize === 0) return EMPTY_ROOT.slice();
    return this.subtree(0, treeSize);
  }

  /** RFC 9162 §2.1.3.1 PATH(m, D[0:n]): sibling hashes from the leaf up. */
  inclusionProof(index: number, treeSize: number = this.size): Uint8Array[] {
    this.checkRange(treeSize, 1, this.size);
    this.checkRange(index, 0, treeSize - 1);
    const out: Uint8Array[] = [];
    this.path(index, 0, treeSize, out);
    return out;
  }

  private path(m: number, lo: number, n: number, out: Uint8Array[]): void {
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, lo, k, out);
      out.push(this.subtree(lo + k, lo + n));
    } else {
      this.path(m - k, lo + k, n - k, out);
      out.push(this.subtree(lo, lo + k));
    }
  }

  /** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]): proves the tree of size m is a prefix of the tree of size n. */
  consistencyProof(first: number, second: number = this.size): Uint8Array[] {
    this.checkRange(second, 1, this.size);
    this.checkRange(first, 1, second);
    const out: Uint8Array[] = [];
    if (first < second) this.subproof(first, 0, second, true, out);
    return out;
  }

  private subproof(m: number, lo: number, n: number, complete: boolean, out: Uint8Array[]): void {
    if (m === n) {
      if (!complete) out.push(this.subtree(lo, lo + n));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, lo, k, complete, out);
      out.push(this.subtree(lo + k, lo + n));
    } else {
      this.subproof(m - k, lo + k, n - k, false, out);
      out.push(this.subtree(lo, lo + k));
    }
  }

  /** MTH(D[lo:hi]); in RFC recursion lo is always a multiple of the left split, so complete parts are cached. */
  private subtree(lo: number, hi: number): Uint8Array {
    const n = hi - lo;
    if (isPow2(n) && lo % n === 0) {
      const k = Math.log2(n);
      return this.levels[k]!.at(lo / n).slice();
    }
    const k = splitPoint(n);
    return nodeHash(this.subtree(lo, lo + k), this.subtree(lo + k, hi));
  }

  private checkRange(v: number, min: number, max: number): void {
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      throw new AiosError('EINVAL', 'tree index or size out of range', { value: v, min, max });
    }
  }
}

/**
 * RFC 9162 §2.1.3.2: verifies that leafHash is leaf `index` of the tree of `treeSize` whose root is `root`.
 * Pure; false on any mismatch or malformed input.
 */
export function verifyInclusion(
  leafHashValue: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (p.length !== HASH_BYTES) return false;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0 || r.length !== root.length) return false;
  let d = 0;
  for (let i = 0; i < r.length; i++) d |= r[i]! ^ root[i]!;
  return d === 0;
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of size `first` with root firstRoot is a prefix of the
 * tree of size `second` with root secondRoot. Equal sizes need an empty proof and equal roots. Pure.
 */
export function verifyConsistency(
  first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[],
): boolean {
  const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && eq(firstRoot, secondRoot);
  if (proof.length === 0 || proof.some((p) => p.length !== HASH_BYTES)) return false;
  const path = isPow2(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(fr, firstRoot) && eq(sr, secondRoot);
}

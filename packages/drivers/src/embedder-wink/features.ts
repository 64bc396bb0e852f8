// The feature map of the offline embedder: SIF-weighted word vectors, random-hyperplane hashes of word vectors
// ("concepts"), hashed word and character n-grams; each block L2-normalised, scaled, concatenated, normalised. Pure and deterministic given the
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
  /** Soft word matching: `conceptTables` random-hyperplane hashes of `conceptBits` bits each over word vectors. */
  conceptTables: number;
  conceptBits: number;
  conceptScale: number;
  /** Weight multiplier of function words and request fillers (STOP_WORDS): "please", "can", "you", "the"... */
  stopWeight: number;
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
  conceptTables: 4,
  conceptBits: 6,
  conceptScale: 1,
  stopWeight: 0.2,
};

/**
 * Function words and politeness fillers of requests. They carry grammar, not topic: their weight is multiplied by
 * stopWeight in every block (the SIF weight already lowers them; this list catches request phrasing SIF misses).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  ('a an the and or but if of to in on at by for with from into about as is are was were be been being am do does ' +
    'did done have has had having i me my mine myself we us our you your yours it its this that these those there ' +
    'here what which who whom whose when where why how can could would should will shall may might must please ' +
    'pls kindly hey hi ok okay just so then than too very also some any all s t d ll m re ve let lets want wanna ' +
    'need like get got give tell show make know help go going gonna one thing things something anything something ' +
    'now right up out').split(' '),
);

/** Output dimension for word vectors of dimension `wordDim` and the given knobs. */
export function featureDim(wordDim: number, p: FeatureParams): number {
  return wordDim + p.wordBuckets + p.charBuckets + p.conceptTables * (1 << p.conceptBits) + 1;
}

/** Weight given to words without a vector (treated as rare, hence informative). */
const OOV_WEIGHT = 1;
/** Bound of the per-instance cache of out-of-vocabulary lookups. */
const OOV_CACHE_MAX = 50_000;

/**
 * Layout of a vector (dim = featureDim(): table.dim + wordBuckets + charBuckets + conceptTables·2^conceptBits + 1):
 * [ semantic (table.dim) | word hashes | char hashes | concept buckets | empty flag ]. A concept bucket is the sign
 * pattern of a (centred) word vector against conceptBits fixed random hyperplanes, so words at a small angle
 * (car/automobile) usually share a bucket: the dot product of two texts' concept blocks is a soft word match. The last coordinate is 1 only for a text
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
  private readonly concept: Float64Array;
  private readonly conceptDim: number;
  /** Per row and table, the concept bucket of the word (-1 until first use). */
  private readonly codes: Int32Array;
  private readonly planes: Float32Array;
  private center: Float32Array = new Float32Array(0);

  constructor(table: WordTable, params: Partial<FeatureParams> = {}) {
    this.table = table;
    this.p = { ...DEFAULT_FEATURE_PARAMS, ...params };
    const d = table.dim;
    this.conceptDim = this.p.conceptTables * (1 << this.p.conceptBits);
    this.dim = featureDim(d, this.p);
    this.concept = new Float64Array(this.conceptDim);
    this.codes = new Int32Array(table.size * this.p.conceptTables).fill(-1);
    this.planes = hyperplanes(this.p.conceptTables * this.p.conceptBits, d);
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
    this.center = meanUnit(table, this.rowScale, this.sifWeight);
  }

  /** Bucket of row r in concept table t: sign pattern of the centred unit word vector against b hyperplanes. */
  private code(r: number, t: number): number {
    const L = this.p.conceptTables;
    const cached = this.codes[r * L + t]!;
    if (cached >= 0) return cached;
    const d = this.table.dim;
    const b = this.p.conceptBits;
    const off = r * d;
    const inv = this.rowScale[r]! > 0 ? this.rowScale[r]! / this.sifWeight[r]! : 0;
    for (let tt = 0; tt < L; tt++) {
      let c = 0;
      for (let k = 0; k < b; k++) {
        const po = (tt * b + k) * d;
        let dot = 0;
        for (let i = 0; i < d; i++) dot += (this.table.vectors[off + i]! * inv - this.center[i]!) * this.planes[po + i]!;
        if (dot > 0) c |= 1 << k;
      }
      this.codes[r * L + tt] = c;
    }
    return this.codes[r * L + t]!;
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
    this.concept.fill(0);
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
      const stop = STOP_WORDS.has(tok) ? p.stopWeight : 1;
      let w = OOV_WEIGHT * stop;
      if (r >= 0) {
        w = this.sifWeight[r]! * stop;
        const s = this.rowScale[r]! * stop;
        const off = r * d;
        for (let i = 0; i < d; i++) sem[i]! += s * table.vectors[off + i]!;
        const nb = 1 << p.conceptBits;
        for (let ti = 0; ti < p.conceptTables; ti++) this.concept[ti * nb + this.code(r, ti)]! += w;
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
    o = writeBlock(chr, p.charScale, out, o);
    writeBlock(this.concept, p.conceptScale, out, o);
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

/** Mean of the unit word vectors of the 50,000 most frequent words (centre for the concept hashes). */
function meanUnit(table: WordTable, rowScale: Float32Array, sifWeight: Float32Array): Float32Array {
  const d = table.dim;
  const acc = new Float64Array(d);
  const top = Math.min(table.size, 50_000);
  for (let r = 0; r < top; r++) {
    const s = sifWeight[r]! > 0 ? rowScale[r]! / sifWeight[r]! : 0;
    const off = r * d;
    for (let i = 0; i < d; i++) acc[i]! += s * table.vectors[off + i]!;
  }
  const out = new Float32Array(d);
  for (let i = 0; i < d; i++) out[i] = acc[i]! / top;
  return out;
}

/** n Gaussian hyperplanes of dimension d from a fixed-seed xorshift generator (deterministic everywhere). */
function hyperplanes(n: number, d: number): Float32Array {
  let x = 0x2545f491;
  const next = (): number => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return (x + 0.5) / 4294967296;
  };
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

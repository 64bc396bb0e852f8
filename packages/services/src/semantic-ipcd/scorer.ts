// The hybrid scorer of the intent router: a packed, immutable index of the live registry that scores a request
// against every intent by four kinds of evidence, and the leave-one-out samples the refusal threshold is derived
// from. Rebuilt (pack) when the registry changes. Pure and deterministic; trusts its inputs (router.ts checks them).
import { LexicalVocabulary, sparseDot, termCounts, type Sparse } from './lexical.ts';

/**
 * score(intent) = lexCentroid · cos_tfidf(q, centroid) + lexNearest · max_i cos_tfidf(q, example_i)
 *               + vecCentroid · cos_emb(q, centroid) + vecNearest · max_i cos_emb(q, example_i)
 * TF-IDF vectors are fitted on the registered examples (lexical.ts); embeddings are centred on the registry's mean
 * example. The weights sum to 1, so a score is in [-1, 1]. Without an embedder the lexical weights are rescaled to 1.
 */
export interface ScorerWeights {
  lexCentroid: number;
  lexNearest: number;
  vecCentroid: number;
  vecNearest: number;
}
export const DEFAULT_SCORER_WEIGHTS: ScorerWeights = { lexCentroid: 0.3, lexNearest: 0.25, vecCentroid: 0.2, vecNearest: 0.25 };
/**
 * Intents whose embedding terms are computed per request: the best DENSE_POOL by lexical evidence (all of them when
 * there are fewer), so routing cost grows with the registry only through the sparse lexical part.
 */
export const DENSE_POOL = 128;
/** Weight of the description (or humanised name) in an intent's centroids, relative to the mean example. */
export const DESCRIPTION_WEIGHT = 0.5;

/** One distinct manifest as the scorer sees it. */
export interface SlotInput {
  /** Lexical term counts of each example (termCounts), and of the description / humanised name. */
  exampleTerms: Map<string, number>[];
  descTerms: Map<string, number>;
  /** Embeddings (unit) of each example and of the description; empty / null without an embedder. */
  rows: Float32Array[];
  desc: Float32Array | null;
}

export interface SlotScore {
  slot: number;
  score: number;
}

/** One leave-one-out sample: an example scored with itself removed from its own intent. */
export interface LooSample {
  /** Its own intent's score (without the example) and the best other intent's score. */
  own: number;
  other: number;
}

export class HybridIndex {
  private readonly S: number;
  private readonly w: ScorerWeights;
  // Lexical: example vectors, per-slot centroid vectors, inverted postings over both (CSR by term id).
  private readonly exVec: Sparse[] = [];
  private readonly exSlot: Int32Array;
  private readonly exStart: Int32Array;
  private readonly lexCent: Sparse[] = [];
  private readonly exPost: { start: Int32Array; doc: Int32Array; w: Float32Array };
  private readonly centPost: { start: Int32Array; doc: Int32Array; w: Float32Array };
  private readonly descVec: Sparse[] = [];
  // Dense (when dim > 0): centred unit rows (R × dim), centred unit centroids (S × dim), the mean removed.
  private readonly rows: Float32Array;
  private readonly cents: Float32Array;
  private readonly descRows: Float32Array;
  private readonly mean: Float32Array;

  constructor(
    private readonly slots: readonly SlotInput[],
    readonly vocab: LexicalVocabulary,
    private readonly dim: number,
    weights: ScorerWeights = DEFAULT_SCORER_WEIGHTS,
    private readonly shortlist = 32,
  ) {
    const S = (this.S = slots.length);
    const dense = dim > 0 && slots.every((s) => s.desc !== null);
    this.w = dense ? weights : rescaleLexical(weights);
    this.exStart = new Int32Array(S + 1);
    let R = 0;
    slots.forEach((s, i) => {
      this.exStart[i] = R;
      R += s.exampleTerms.length;
    });
    this.exStart[S] = R;
    this.exSlot = new Int32Array(R);
    for (let i = 0; i < S; i++) {
      const s = slots[i]!;
      for (let j = 0; j < s.exampleTerms.length; j++) {
        this.exSlot[this.exStart[i]! + j] = i;
        this.exVec.push(vocab.vectorise(s.exampleTerms[j]!));
      }
      this.descVec.push(vocab.vectorise(s.descTerms));
      this.lexCent.push(lexCentroid(this.exVec.slice(this.exStart[i]!, this.exStart[i + 1]!), this.descVec[i]!));
    }
    this.exPost = postings(this.exVec, vocab.size);
    this.centPost = postings(this.lexCent, vocab.size);
    // Dense part.
    const d = dense ? dim : 0;
    this.mean = new Float32Array(d);
    this.rows = new Float32Array(R * d);
    this.cents = new Float32Array(S * d);
    this.descRows = new Float32Array(S * d);
    if (d > 0) {
      let counted = 0;
      for (const s of slots) {
        if (s.rows.length === 0) continue;
        counted++;
        for (const r of s.rows) for (let k = 0; k < d; k++) this.mean[k]! += r[k]! / s.rows.length;
      }
      if (counted > 1) for (let k = 0; k < d; k++) this.mean[k]! /= counted;
      else this.mean.fill(0);
      for (let i = 0; i < S; i++) {
        const s = slots[i]!;
        s.rows.forEach((r, j) => centreInto(r, this.mean, this.rows, (this.exStart[i]! + j) * d));
        centreInto(s.desc!, this.mean, this.descRows, i * d);
        this.denseCentroidInto(i, -1, this.cents, i * d);
      }
    }
  }

  get intents(): number {
    return this.S;
  }

  /** Per-slot scores of a request, best first; at most max(shortlist, want) slots get the nearest-example term. */
  score(text: string, q: Float32Array | null, want: number): SlotScore[] {
    const lq = this.vocab.vectorise(termCounts(text));
    return this.scoreVectors(lq, q === null ? null : this.centre(q), want, -1);
  }

  /**
   * Leave-one-out samples over at most `max` examples (evenly spread over the intents with at least two
   * examples, deterministic): each example is scored as a request against the registry with itself removed.
   */
  looSamples(max: number): LooSample[] {
    const cands: number[] = [];
    const perSlot = Math.max(1, Math.ceil(max / Math.max(1, this.S)));
    for (let j = 0; j < perSlot; j++) {
      for (let i = 0; i < this.S; i++) {
        const n = this.exStart[i + 1]! - this.exStart[i]!;
        if (n >= 2 && j < n) cands.push(this.exStart[i]! + j);
      }
    }
    const pick = cands.length <= max ? cands : Array.from({ length: max }, (_, k) => cands[Math.floor((k * cands.length) / max)]!);
    const d = this.cents.length > 0 ? this.dim : 0;
    return pick.map((e) => {
      const qd = d > 0 ? this.rows.subarray(e * d, (e + 1) * d) : null;
      const scored = this.scoreVectors(this.exVec[e]!, qd, 1, e);
      const own = this.exSlot[e]!;
      let ownScore = -Infinity;
      let other = -Infinity;
      for (const s of scored) {
        if (s.slot === own) ownScore = s.score;
        else if (s.score > other) other = s.score;
      }
      return { own: ownScore, other };
    });
  }

  // ---- internals ----

  /** Scores with example `skip` (or none: -1) removed from its slot. */
  private scoreVectors(lq: Sparse, qd: Float32Array | null, want: number, skip: number): SlotScore[] {
    const S = this.S;
    const w = this.w;
    const R = this.exSlot.length;
    const exDot = new Float32Array(R);
    accumulate(this.exPost, lq, exDot);
    const centDot = new Float32Array(S);
    accumulate(this.centPost, lq, centDot);
    const skipSlot = skip >= 0 ? this.exSlot[skip]! : -1;
    if (skip >= 0) {
      exDot[skip] = -Infinity;
      const others = [];
      for (let e = this.exStart[skipSlot]!; e < this.exStart[skipSlot + 1]!; e++) if (e !== skip) others.push(this.exVec[e]!);
      centDot[skipSlot] = sparseDot(lq, lexCentroid(others, this.descVec[skipSlot]!));
    }
    const base = new Float64Array(S);
    for (let i = 0; i < S; i++) {
      let near = 0;
      for (let e = this.exStart[i]!; e < this.exStart[i + 1]!; e++) if (exDot[e]! > near) near = exDot[e]!;
      if (this.exStart[i + 1]! - this.exStart[i]! - (i === skipSlot ? 1 : 0) <= 0) near = sparseDot(lq, this.descVec[i]!);
      base[i] = w.lexCentroid * centDot[i]! + w.lexNearest * near;
    }
    const d = qd === null || this.cents.length === 0 ? 0 : this.dim;
    let pool = base;
    if (d > 0) {
      let own: Float32Array | null = null;
      if (skip >= 0) {
        own = new Float32Array(d);
        this.denseCentroidInto(skipSlot, skip, own, 0);
      }
      // Stage 1: with many intents, only the DENSE_POOL best by lexical evidence (and the left-out example's own
      // intent) get the embedding terms; the rest are out of the running (not returned).
      let cand: Iterable<number>;
      if (S > DENSE_POOL) {
        const top = topIndices(base, DENSE_POOL);
        if (skipSlot >= 0 && !top.includes(skipSlot)) top.push(skipSlot);
        cand = top;
        pool = new Float64Array(S).fill(-Infinity);
      } else cand = Array.from({ length: S }, (_, i) => i);
      for (const i of cand) pool[i] = base[i]! + w.vecCentroid * (i === skipSlot ? dotAt(qd!, own!, 0, d) : dotAt(qd!, this.cents, i * d, d));
    }
    // Shortlist by the partial score, then add the nearest-example embedding term.
    const m = Math.min(S, Math.max(this.shortlist, want), d > 0 ? DENSE_POOL + 1 : S);
    const order = topIndices(pool, m).filter((i) => pool[i]! > -Infinity);
    const out: SlotScore[] = [];
    for (const i of order) {
      let s = pool[i]!;
      if (d > 0) {
        let near = -1;
        for (let e = this.exStart[i]!; e < this.exStart[i + 1]!; e++) {
          if (e === skip) continue;
          const x = dotAt(qd!, this.rows, e * d, d);
          if (x > near) near = x;
        }
        if (this.exStart[i + 1]! - this.exStart[i]! - (i === skipSlot ? 1 : 0) <= 0) near = dotAt(qd!, this.descRows, i * d, d);
        s += w.vecNearest * near;
      }
      out.push({ slot: i, score: s });
    }
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  /** Centred, unit copy of a query embedding. */
  private centre(q: Float32Array): Float32Array | null {
    if (this.cents.length === 0) return null;
    const out = new Float32Array(this.dim);
    centreInto(q, this.mean, out, 0);
    return out;
  }

  /** normalise(mean of the slot's centred rows except `skip` + DESCRIPTION_WEIGHT · centred description). */
  private denseCentroidInto(i: number, skip: number, out: Float32Array, off: number): void {
    const d = this.dim;
    const a = this.exStart[i]!;
    const b = this.exStart[i + 1]!;
    const n = b - a - (skip >= a && skip < b ? 1 : 0);
    for (let k = 0; k < d; k++) out[off + k] = 0;
    for (let e = a; e < b; e++) {
      if (e === skip) continue;
      for (let k = 0; k < d; k++) out[off + k]! += this.rows[e * d + k]! / n;
    }
    const dw = n > 0 ? DESCRIPTION_WEIGHT : 1;
    for (let k = 0; k < d; k++) out[off + k]! += dw * this.descRows[i * d + k]!;
    let n2 = 0;
    for (let k = 0; k < d; k++) n2 += out[off + k]! * out[off + k]!;
    if (n2 > 0) {
      const inv = 1 / Math.sqrt(n2);
      for (let k = 0; k < d; k++) out[off + k]! *= inv;
    }
  }
}

function rescaleLexical(w: ScorerWeights): ScorerWeights {
  const t = w.lexCentroid + w.lexNearest;
  return { lexCentroid: w.lexCentroid / t, lexNearest: w.lexNearest / t, vecCentroid: 0, vecNearest: 0 };
}

/** Unit vector along mean(examples) + DESCRIPTION_WEIGHT · desc (desc alone without examples). */
function lexCentroid(examples: Sparse[], desc: Sparse): Sparse {
  const acc = new Map<number, number>();
  const add = (v: Sparse, f: number) => {
    for (let i = 0; i < v.ids.length; i++) acc.set(v.ids[i]!, (acc.get(v.ids[i]!) ?? 0) + f * v.w[i]!);
  };
  for (const e of examples) add(e, 1 / examples.length);
  add(desc, examples.length > 0 ? DESCRIPTION_WEIGHT : 1);
  const ids = Int32Array.from([...acc.keys()].sort((a, b) => a - b));
  const w = new Float32Array(ids.length);
  let n2 = 0;
  ids.forEach((id, i) => {
    w[i] = acc.get(id)!;
    n2 += w[i]! * w[i]!;
  });
  if (n2 > 0) {
    const inv = 1 / Math.sqrt(n2);
    for (let i = 0; i < w.length; i++) w[i]! *= inv;
  }
  return { ids, w };
}

/** Inverted index (term -> (doc, weight)) in CSR form. */
function postings(docs: Sparse[], nTerms: number): { start: Int32Array; doc: Int32Array; w: Float32Array } {
  const start = new Int32Array(nTerms + 1);
  for (const v of docs) for (const id of v.ids) start[id + 1]!++;
  for (let t = 0; t < nTerms; t++) start[t + 1]! += start[t]!;
  const fill = start.slice(0, nTerms);
  const doc = new Int32Array(start[nTerms]!);
  const w = new Float32Array(start[nTerms]!);
  docs.forEach((v, di) => {
    for (let i = 0; i < v.ids.length; i++) {
      const p = fill[v.ids[i]!]!++;
      doc[p] = di;
      w[p] = v.w[i]!;
    }
  });
  return { start, doc, w };
}

function accumulate(p: { start: Int32Array; doc: Int32Array; w: Float32Array }, q: Sparse, out: Float32Array): void {
  const nTerms = p.start.length - 1;
  for (let i = 0; i < q.ids.length; i++) {
    const t = q.ids[i]!;
    if (t >= nTerms) continue;
    const qw = q.w[i]!;
    for (let k = p.start[t]!; k < p.start[t + 1]!; k++) out[p.doc[k]!]! += qw * p.w[k]!;
  }
}

/** Indices of the m largest values, largest first (ties: lower index first). */
function topIndices(v: Float64Array, m: number): number[] {
  const idx = new Int32Array(m);
  const val = new Float64Array(m).fill(-Infinity);
  for (let s = 0; s < v.length; s++) {
    const x = v[s]!;
    if (m > 0 && x > val[m - 1]!) {
      let j = m - 1;
      while (j > 0 && val[j - 1]! < x) {
        val[j] = val[j - 1]!;
        idx[j] = idx[j - 1]!;
        j--;
      }
      val[j] = x;
      idx[j] = s;
    }
  }
  return Array.from(idx.subarray(0, Math.min(m, v.length)));
}

/** out[off..off+d) = unit(v − mean) (zero stays zero). */
function centreInto(v: Float32Array, mean: Float32Array, out: Float32Array, off: number): void {
  const d = mean.length;
  let n2 = 0;
  for (let k = 0; k < d; k++) {
    const x = v[k]! - mean[k]!;
    out[off + k] = x;
    n2 += x * x;
  }
  if (n2 === 0) return;
  const inv = 1 / Math.sqrt(n2);
  for (let k = 0; k < d; k++) out[off + k]! *= inv;
}

/** q · M[off..off+d), four accumulators (the hot loop of routing). */
export function dotAt(q: Float32Array, M: Float32Array, off: number, d: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    a0 += q[i]! * M[off + i]!;
    a1 += q[i + 1]! * M[off + i + 1]!;
    a2 += q[i + 2]! * M[off + i + 2]!;
    a3 += q[i + 3]! * M[off + i + 3]!;
  }
  for (; i < d; i++) a0 += q[i]! * M[off + i]!;
  return a0 + a1 + a2 + a3;
}

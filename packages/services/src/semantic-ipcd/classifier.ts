// A small linear classifier over the registered intents, used by the router to re-rank its shortlist: one weight
// vector per intent over the concatenation of sparse lexical features (word 1-2 grams, char 3-5 grams; sublinear tf,
// per-family L2 weights, no idf so features do not drift as the registry changes; the embedding part is off by
// default, CLASSIFIER_DENSE_SHARE = 0: the hybrid scorer already carries it, and it made refits 10x slower).
// Fitted at registration time and incrementally: a new intent starts at its prototype (mean example) and a few
// epochs of multi-class passive-aggressive updates run over its examples and those of its nearest intents only
// (bounded work whatever the registry size); removing an intent drops its vector. Pure and deterministic: the same
// sequence of add/remove calls gives the same weights. Trusts its caller (router.ts) for sane inputs.
import { DEFAULT_LEXICAL_WEIGHTS, termCounts } from './lexical.ts';

/** Intents (nearest by prototype) whose examples take part in a new intent's refit; bounds the work of add(). */
export const CLASSIFIER_NEIGHBOURS = 8;
/** Passes over the refit set per add(). */
export const CLASSIFIER_EPOCHS = 3;
/** Margin the updates aim for between an example's own intent and the best other one. */
export const CLASSIFIER_MARGIN = 0.25;
/** Cap on one update's step (PA-I aggressiveness). */
export const CLASSIFIER_STEP_CAP = 0.5;
/** Share of a feature vector's squared norm carried by the embedding (the rest by the lexical families). */
export const CLASSIFIER_DENSE_SHARE = 0;
/** A word shared by more intents than this says nothing about which intents are near (skipped when picking them). */
export const NEIGHBOUR_MAX_POSTINGS = 64;

/** A feature vector: sparse lexical part (ids ascending) and a dense part (scaled embedding, or empty). */
export interface Features {
  ids: Int32Array;
  w: Float32Array;
  dense: Float32Array;
}

interface ClassWeights {
  sparse: Map<number, number>;
  dense: Float32Array;
  /** Features of its examples, kept for later refits that involve it. */
  examples: Features[];
}

const FAMILY_WEIGHT = [DEFAULT_LEXICAL_WEIGHTS.word, DEFAULT_LEXICAL_WEIGHTS.bigram, DEFAULT_LEXICAL_WEIGHTS.char];

export class IntentClassifier {
  private readonly ids = new Map<string, number>();
  private readonly classes = new Map<string, ClassWeights>();
  /** Word-unigram feature id -> intents whose examples have it (to pick neighbours without scanning all intents). */
  private readonly wordPostings = new Map<number, Set<string>>();
  private readonly wordIds = new Set<number>();

  constructor(private readonly dim: number) {}

  get size(): number {
    return this.classes.size;
  }

  has(key: string): boolean {
    return this.classes.has(key);
  }

  /**
   * Feature vector of a text and its embedding (unit, or null): unit length overall. Unknown terms get fresh ids
   * only when `learn` is true (registration); a request's unknown terms cannot match any weight and are dropped.
   */
  features(text: string, emb: Float32Array | null, learn = false): Features {
    const fam = [0, 0, 0];
    const terms: Array<[number, number, number]> = [];
    for (const [k, c] of termCounts(text)) {
      const x = 1 + Math.log(c);
      const f = Number(k[0]);
      fam[f]! += x * x;
      let id = this.ids.get(k);
      if (id === undefined && learn) {
        this.ids.set(k, (id = this.ids.size));
        if (f === 0) this.wordIds.add(id);
      }
      if (id !== undefined) terms.push([id, f, x]);
    }
    const dense = this.dim > 0 && emb !== null && CLASSIFIER_DENSE_SHARE > 0;
    let present = dense ? CLASSIFIER_DENSE_SHARE : 0;
    fam.forEach((n, f) => { if (n > 0) present += (1 - CLASSIFIER_DENSE_SHARE) * FAMILY_WEIGHT[f]!; });
    const norm = present > 0 ? 1 / Math.sqrt(present) : 0;
    terms.sort((a, b) => a[0] - b[0]);
    const ids = new Int32Array(terms.length);
    const w = new Float32Array(terms.length);
    terms.forEach(([id, f, x], i) => {
      ids[i] = id;
      w[i] = x * Math.sqrt(((1 - CLASSIFIER_DENSE_SHARE) * FAMILY_WEIGHT[f]!) / fam[f]!) * norm;
    });
    const d = new Float32Array(dense ? this.dim : 0);
    if (dense) for (let k = 0; k < this.dim; k++) d[k] = emb![k]! * Math.sqrt(CLASSIFIER_DENSE_SHARE) * norm;
    return { ids, w, dense: d };
  }

  /** The intent's score for a feature vector (unknown intent: 0). */
  score(key: string, x: Features): number {
    const c = this.classes.get(key);
    return c ? dot(c, x) : 0;
  }

  /**
   * Adds (or replaces) intent `key` with its examples' features and refits: prototype start, then
   * CLASSIFIER_EPOCHS passive-aggressive passes over the examples of it and its CLASSIFIER_NEIGHBOURS nearest intents.
   */
  add(key: string, examples: Features[]): void {
    this.classes.delete(key);
    const proto: ClassWeights = { sparse: new Map(), dense: new Float32Array(this.dim), examples };
    for (const x of examples) addScaled(proto, x, 1 / examples.length);
    // Nearest intents: those sharing the prototype's words (each word's postings capped), by their prototype score.
    const cands = new Set<string>();
    const words = new Set<number>();
    for (const x of examples) for (const id of x.ids) if (this.wordIds.has(id)) words.add(id);
    for (const id of words) {
      const p = this.wordPostings.get(id);
      if (p && p.size <= NEIGHBOUR_MAX_POSTINGS) for (const k of p) cands.add(k);
    }
    const near: Array<{ key: string; s: number }> = [];
    for (const k of cands) near.push({ key: k, s: weightsDot(this.classes.get(k)!, proto) });
    near.sort((a, b) => b.s - a.s || (a.key < b.key ? -1 : 1));
    this.classes.set(key, proto);
    for (const id of words) {
      let p = this.wordPostings.get(id);
      if (!p) this.wordPostings.set(id, (p = new Set()));
      p.add(key);
    }
    const group = [key, ...near.slice(0, CLASSIFIER_NEIGHBOURS).map((n) => n.key)];
    const set: Array<{ y: string; x: Features }> = [];
    for (const k of group) for (const x of this.classes.get(k)!.examples) set.push({ y: k, x });
    for (let e = 0; e < CLASSIFIER_EPOCHS; e++) {
      let updates = 0;
      for (const { y, x } of set) {
        const cy = this.classes.get(y)!;
        const sy = dot(cy, x);
        let r: ClassWeights | null = null;
        let sr = -Infinity;
        for (const k of group) {
          if (k === y) continue;
          const c = this.classes.get(k)!;
          const s = dot(c, x);
          if (s > sr) { sr = s; r = c; }
        }
        if (r === null) continue;
        const loss = CLASSIFIER_MARGIN - (sy - sr);
        if (loss <= 0) continue;
        const tau = Math.min(CLASSIFIER_STEP_CAP, loss / (2 * norm2(x)));
        addScaled(cy, x, tau);
        addScaled(r, x, -tau);
        updates++;
      }
      if (updates === 0) break;
    }
  }

  /** Forgets intent `key` (no-op when unknown). */
  remove(key: string): void {
    const c = this.classes.get(key);
    if (!c) return;
    this.classes.delete(key);
    for (const x of c.examples) for (const id of x.ids) this.wordPostings.get(id)?.delete(key);
  }
}

function dot(c: ClassWeights, x: Features): number {
  let s = 0;
  for (let i = 0; i < x.ids.length; i++) s += (c.sparse.get(x.ids[i]!) ?? 0) * x.w[i]!;
  const d = Math.min(c.dense.length, x.dense.length);
  for (let k = 0; k < d; k++) s += c.dense[k]! * x.dense[k]!;
  return s;
}

function weightsDot(a: ClassWeights, b: ClassWeights): number {
  let s = 0;
  for (const [id, w] of b.sparse) s += (a.sparse.get(id) ?? 0) * w;
  return s;
}

function addScaled(c: ClassWeights, x: Features, f: number): void {
  for (let i = 0; i < x.ids.length; i++) c.sparse.set(x.ids[i]!, (c.sparse.get(x.ids[i]!) ?? 0) + f * x.w[i]!);
  const d = Math.min(c.dense.length, x.dense.length);
  for (let k = 0; k < d; k++) c.dense[k]! += f * x.dense[k]!;
}

function norm2(x: Features): number {
  let n = 0;
  for (let i = 0; i < x.w.length; i++) n += x.w[i]! * x.w[i]!;
  for (let k = 0; k < x.dense.length; k++) n += x.dense[k]! * x.dense[k]!;
  return n || 1;
}

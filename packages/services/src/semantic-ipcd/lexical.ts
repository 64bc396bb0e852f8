// Lexical evidence for the intent router, independent of any embedder: word unigrams, word bigrams and character
// n-grams, TF-IDF weighted with document frequencies fitted on the registered examples (one document per
// example, and one per description). Pure and deterministic; trusts its caller for non-empty strings (the router checks them).

/** Feature families and their share of a vector's squared norm (each family is L2-normalised, then weighted). */
export interface LexicalWeights {
  word: number;
  bigram: number;
  char: number;
}
export const DEFAULT_LEXICAL_WEIGHTS: LexicalWeights = { word: 0.4, bigram: 0.15, char: 0.45 };
/** Character n-gram sizes, taken over each word padded with one space on both sides. */
export const CHAR_NGRAMS: readonly number[] = [3, 4, 5];

const FAMILIES = ['word', 'bigram', 'char'] as const;
type Family = 0 | 1 | 2;

/** Lower-cased word tokens (letters and digits; an apostrophe inside a word is dropped: "what's" -> "whats"). */
export function words(text: string): string[] {
  return text.toLowerCase().replace(/(\p{L})['’](\p{L})/gu, '$1$2').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Raw term counts of a text, keyed "<family>\u0001<term>" (family 0 word, 1 bigram, 2 char n-gram). */
export function termCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (f: Family, t: string) => {
    const k = `${f}\u0001${t}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  };
  const ws = words(text);
  for (let i = 0; i < ws.length; i++) {
    add(0, ws[i]!);
    if (i > 0) add(1, `${ws[i - 1]} ${ws[i]}`);
    const p = ` ${ws[i]} `;
    for (const n of CHAR_NGRAMS) for (let j = 0; j + n <= p.length; j++) add(2, p.slice(j, j + n));
  }
  return out;
}

/** A sparse unit vector: parallel arrays of term ids and weights, ids ascending. */
export interface Sparse {
  ids: Int32Array;
  w: Float32Array;
}

export function sparseDot(a: Sparse, b: Sparse): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i]!;
    const y = b.ids[j]!;
    if (x === y) s += a.w[i++]! * b.w[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/**
 * Vocabulary and document frequencies over the registered examples, updated incrementally (add/remove a document
 * is O(its terms)). Term ids are never reused, so a vector built earlier keeps its meaning; its weights do not:
 * vectorise again after the document set changed (the router does so when it repacks).
 */
export class LexicalVocabulary {
  private readonly ids = new Map<string, number>();
  private readonly family: number[] = [];
  private readonly df: number[] = [];
  private docs = 0;
  constructor(private readonly weights: LexicalWeights = DEFAULT_LEXICAL_WEIGHTS) {}

  get documents(): number {
    return this.docs;
  }

  /** Counts one more document with these terms (termCounts output). */
  add(counts: Map<string, number>): void {
    this.docs++;
    for (const k of counts.keys()) {
      let id = this.ids.get(k);
      if (id === undefined) {
        id = this.df.length;
        this.ids.set(k, id);
        this.df.push(0);
        this.family.push(Number(k[0]));
      }
      this.df[id]!++;
    }
  }

  /** Forgets one document previously added with the same counts. */
  remove(counts: Map<string, number>): void {
    this.docs--;
    for (const k of counts.keys()) {
      const id = this.ids.get(k);
      if (id !== undefined && this.df[id]! > 0) this.df[id]!--;
    }
  }

  /** Smoothed inverse document frequency; a term no document has gets the highest weight. */
  idf(df: number): number {
    return Math.log((this.docs + 1) / (df + 1)) + 1;
  }

  /**
   * TF-IDF unit vector of `counts` (sublinear tf). Terms no registered example has carry weight in the norm but
   * get no id (they cannot match anything): a request full of unknown words scores low everywhere.
   */
  vectorise(counts: Map<string, number>): Sparse {
    const fam = [0, 0, 0];
    const known: Array<[number, number, number]> = [];
    for (const [k, c] of counts) {
      const id = this.ids.get(k);
      const df = id === undefined ? 0 : this.df[id]!;
      const w = (1 + Math.log(c)) * this.idf(df);
      const f = Number(k[0]);
      fam[f]! += w * w;
      if (id !== undefined && df > 0) known.push([id, f, w]);
    }
    const scale = fam.map((n2, f) => (n2 > 0 ? Math.sqrt(this.weights[FAMILIES[f]!] / n2) : 0));
    known.sort((a, b) => a[0] - b[0]);
    const ids = new Int32Array(known.length);
    const w = new Float32Array(known.length);
    let n2 = 0;
    for (const s of scale) n2 += s > 0 ? 1 : 0;
    known.forEach(([id, f, x], i) => {
      ids[i] = id;
      w[i] = x * scale[f]!;
    });
    // Families present in the text share the norm: renormalise to unit length over present families.
    let tot = 0;
    fam.forEach((n, f) => { if (n > 0) tot += this.weights[FAMILIES[f]!]; });
    if (tot > 0 && n2 > 0) {
      const r = 1 / Math.sqrt(tot);
      for (let i = 0; i < w.length; i++) w[i]! *= r;
    }
    return { ids, w };
  }

  get size(): number {
    return this.df.length;
  }
}

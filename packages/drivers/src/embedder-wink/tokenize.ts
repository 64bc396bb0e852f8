// Text normalisation, tokenisation and hashing for the offline embedder. Pure functions, no I/O, deterministic
// across runs and platforms (32-bit FNV-1a over UTF-16 code units).

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased word tokens (letters and digits); punctuation and apostrophes split tokens ("what's" -> what, s). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const lower = text.normalize('NFKC').toLowerCase();
  for (const m of lower.matchAll(WORD)) out.push(m[0]);
  return out;
}

/** 32-bit FNV-1a of `s`, continuing from `seed` (default the FNV offset basis). */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Final avalanche so that nearby hashes spread over buckets and the sign bit is independent of the bucket. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Spelling variants tried, in order, when a word has no vector: British to American spellings and a light
 * suffix strip. Returns candidates without the word itself. Cheap: only called for out-of-vocabulary words.
 */
export function variants(word: string): string[] {
  const out: string[] = [];
  if (word.length < 4) return out;
  const rules: Array<[RegExp, string]> = [
    [/isation$/, 'ization'], [/ise$/, 'ize'], [/ised$/, 'ized'], [/ising$/, 'izing'], [/ises$/, 'izes'],
    [/yse$/, 'yze'], [/our$/, 'or'], [/ours$/, 'ors'], [/tre$/, 'ter'], [/tres$/, 'ters'], [/ogue$/, 'og'],
    [/elled$/, 'eled'], [/elling$/, 'eling'],
    [/ies$/, 'y'], [/es$/, ''], [/s$/, ''], [/ing$/, ''], [/ing$/, 'e'], [/ed$/, ''], [/ed$/, 'e'], [/ly$/, ''],
  ];
  for (const [re, rep] of rules) {
    if (re.test(word)) {
      const v = word.replace(re, rep);
      if (v.length >= 3 && v !== word && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

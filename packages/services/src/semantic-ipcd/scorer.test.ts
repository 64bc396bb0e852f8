// Tests of the lexical evidence, the hybrid scorer and the registry-derived refusal threshold, with a tiny
// deterministic bag-of-words embedder (services may not import drivers).
import { describe, expect, it } from 'vitest';
import type { EmbedderDriver } from '@aios/abi';
import { IntentRouter, MIN_REGISTRY_THRESHOLD, DEFAULT_THRESHOLD } from './index.ts';
import { LexicalVocabulary, termCounts, words, sparseDot } from './lexical.ts';
import { HybridIndex } from './scorer.ts';

const DIM = 16;
/** Hashes each word into one of 16 dimensions; unit length. */
function hashed(text: string): Float32Array {
  const v = new Float32Array(DIM);
  for (const w of words(text)) {
    let h = 7;
    for (let i = 0; i < w.length; i++) h = (h * 31 + w.charCodeAt(i)) >>> 0;
    v[h % DIM]! += 1;
  }
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}
const embedder: EmbedderDriver = {
  info: { name: 'hashed', version: '0', kind: 'embedder', description: 'test hashed bag of words' },
  dim: DIM,
  embed: async (texts) => texts.map(hashed),
};

const TOPICS = ['weather', 'music', 'alarm', 'email', 'recipe', 'taxi', 'news', 'lights', 'calendar', 'translate', 'stocks', 'podcast'];
/** An intent about `topic` with `n` examples sharing the topic word and varying the rest. */
function intent(topic: string, n = 6, suffix = '') {
  const verbs = ['show', 'check', 'open', 'find', 'start', 'give', 'play', 'set'];
  return { name: `${topic}${suffix}`, description: `${topic} ${suffix}`.trim(), examples: Array.from({ length: n }, (_, i) => `${verbs[i % verbs.length]} ${topic} ${suffix} number ${i}`.replace(/\s+/g, ' ')) };
}

describe('semantic-ipcd scorer', () => {
  it('lexical - words, bigrams and char n-grams are counted; TF-IDF vectors are unit length and rare terms weigh more', () => {
    expect(words("What's the WEATHER, today?")).toEqual(['whats', 'the', 'weather', 'today']);
    const c = termCounts('play music');
    expect(c.get('0\u0001play')).toBe(1);
    expect(c.get('1\u0001play music')).toBe(1);
    expect(c.get('2\u0001 pla')).toBe(1);
    const vocab = new LexicalVocabulary();
    for (const t of ['play music', 'play a song', 'play the radio']) vocab.add(termCounts(t));
    const v = vocab.vectorise(termCounts('play music'));
    expect(sparseDot(v, v)).toBeCloseTo(1, 5);
    // "music" (in one document) weighs more than "play" (in all three).
    expect(sparseDot(v, vocab.vectorise(termCounts('music')))).toBeGreaterThan(sparseDot(v, vocab.vectorise(termCounts('play'))));
    // Unknown words have no id but still count in the norm: a request of unknown words scores ~0 everywhere.
    expect(vocab.vectorise(termCounts('zzz qqq')).ids.length).toBe(0);
    vocab.remove(termCounts('play music'));
    expect(vocab.documents).toBe(2);
  });

  it('scorer - routes by lexical evidence alone for an embedder that cannot tell the texts apart', async () => {
    const flat: EmbedderDriver = { ...embedder, embed: async (t) => t.map(() => Float32Array.from({ length: DIM }, () => 1 / 4)) };
    const r = new IntentRouter({ embedder: flat });
    for (const [i, t] of TOPICS.entries()) await r.register(i + 1, intent(t));
    expect((await r.candidates('could you check the taxi', 1))[0]!.intent).toBe('taxi');
    expect((await r.candidates('podcasts please', 1))[0]!.intent).toBe('podcast'); // char n-grams match the plural
  });

  it('scorer - leave-one-out samples score each example without itself', () => {
    const vocab = new LexicalVocabulary();
    const mk = (examples: string[], desc: string) => {
      const exampleTerms = examples.map(termCounts);
      exampleTerms.forEach((t) => vocab.add(t));
      return { exampleTerms, descTerms: termCounts(desc), rows: [], desc: null };
    };
    // Intent 0: two identical examples (left out, the twin still matches fully); intent 1: unrelated examples.
    const idx = new HybridIndex([mk(['book a taxi', 'book a taxi'], 'taxi'), mk(['play jazz', 'volume up'], 'music')], vocab, 0);
    const s = idx.looSamples(10);
    expect(s).toHaveLength(4);
    expect(s[0]!.own).toBeGreaterThan(0.9);
    expect(s[0]!.other).toBeLessThan(0.2);
    expect(s[1]!.own).toBeLessThan(0.5); // "play jazz" vs "volume up" + description: little in common
  });

  it('threshold - derived from the live registry: it rises as similar intents crowd in and returns when they leave', async () => {
    const r = new IntentRouter({ embedder });
    expect(r.thresholdInfo()).toMatchObject({ source: 'default', threshold: DEFAULT_THRESHOLD });
    for (const [i, t] of TOPICS.entries()) await r.register(i + 1, intent(t));
    const few = r.thresholdInfo();
    expect(few.source).toBe('registry');
    expect(few.samples).toBeGreaterThanOrEqual(TOPICS.length);
    expect(few.threshold).toBeGreaterThanOrEqual(MIN_REGISTRY_THRESHOLD);
    // On its own samples it refuses most "unregistered" requests and routes most registered ones right.
    expect(few.looOosRecall!).toBeGreaterThan(0.5);
    expect(few.looInScopeAccuracy!).toBeGreaterThan(0.5);
    // Near-duplicates of every topic: a request now also scores high against a wrong intent.
    for (const [i, t] of TOPICS.entries()) await r.register(100 + i, intent(t, 6, 'status'));
    const crowded = r.thresholdInfo();
    expect(crowded.threshold).toBeGreaterThan(few.threshold);
    for (let i = 0; i < TOPICS.length; i++) r.unregister(100 + i);
    expect(r.thresholdInfo()).toEqual(few);
  });

  it('threshold - a configured threshold is fixed, whatever the registry', async () => {
    const r = new IntentRouter({ embedder, threshold: 0.42 });
    for (const [i, t] of TOPICS.entries()) await r.register(i + 1, intent(t));
    expect(r.thresholdInfo()).toEqual({ threshold: 0.42, source: 'config' });
    expect(r.threshold).toBe(0.42);
  });

  it('threshold - one intent alone gives no out-of-scope evidence: the default applies', async () => {
    const r = new IntentRouter({ embedder });
    await r.register(1, intent('weather', 20));
    expect(r.thresholdInfo()).toMatchObject({ source: 'default', threshold: DEFAULT_THRESHOLD, samples: 0 });
  });
});

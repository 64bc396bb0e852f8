// Public surface of the offline embedder (subpath "@aios/drivers/embedder-wink").
export { createWinkEmbedder, WINK_WORD_DIM } from './embedder.ts';
export type { WinkEmbedder, WinkEmbedderOptions } from './embedder.ts';
export { DEFAULT_FEATURE_PARAMS } from './features.ts';
export type { FeatureParams } from './features.ts';
export { tokenize } from './tokenize.ts';
export { loadWordTable, parseWordTable } from './vectors.ts';
export type { WordTable } from './vectors.ts';

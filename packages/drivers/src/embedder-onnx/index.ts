// Public surface of the local ONNX embedder (subpath "@aios/drivers/embedder-onnx").
export { createOnnxEmbedder } from './embedder.ts';
export type { OnnxEmbedder, OnnxEmbedderOptions } from './embedder.ts';
export { readModelFolder } from './folder.ts';
export type { ModelFolder } from './folder.ts';
export { WordPieceTokenizer, parseVocabTxt } from './wordpiece.ts';
export type { Encoding, WordPieceOptions } from './wordpiece.ts';

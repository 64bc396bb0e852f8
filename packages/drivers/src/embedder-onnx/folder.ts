// Reads a sentence-transformers-style model folder: where the ONNX file is, the WordPiece vocabulary (from
// tokenizer.json or vocab.txt) and the tokenizer settings (lower-casing, accents, max length, special tokens)
// from tokenizer.json, tokenizer_config.json, sentence_bert_config.json and config.json. Synchronous, no model
// run. A folder without a model file or a vocabulary is EINVAL naming what is missing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import { parseVocabTxt, type WordPieceOptions } from './wordpiece.ts';

export interface ModelFolder {
  dir: string;
  /** Absolute path of the ONNX file. */
  modelPath: string;
  vocab: Map<string, number>;
  tokenizer: WordPieceOptions;
  /** Max tokens per text including [CLS]/[SEP]. */
  maxLength: number;
  /** Hidden size from config.json, if it says. */
  hiddenSize?: number;
  /** Model name for descriptions: config's _name_or_path or the folder's base name. */
  name: string;
}

/** Default cap on sequence length when nothing in the folder says (BERT's position limit). */
export const DEFAULT_MAX_LENGTH = 512;

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new AiosError('EINVAL', `model folder file is not valid JSON: ${path}`, { path, reason: (err as Error).message });
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The ONNX file: model.onnx, onnx/model.onnx, else the only (or first by name) *.onnx in the folder or onnx/. */
function findModel(dir: string): string | undefined {
  for (const c of ['model.onnx', join('onnx', 'model.onnx')]) if (existsSync(join(dir, c))) return join(dir, c);
  for (const sub of ['', 'onnx']) {
    const d = join(dir, sub);
    if (!existsSync(d) || !statSync(d).isDirectory()) continue;
    const files = readdirSync(d).filter((f) => f.endsWith('.onnx')).sort();
    if (files.length > 0) return join(d, files[0]!);
  }
  return undefined;
}

/** Reads and checks a model folder. EINVAL (with `reason`) when it cannot be used. */
export function readModelFolder(dir: string): ModelFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AiosError('EINVAL', `model folder does not exist: ${dir}`, { dir, reason: 'not a directory' });
  const modelPath = findModel(dir);
  if (modelPath === undefined) throw new AiosError('EINVAL', `model folder has no ONNX file (model.onnx or onnx/*.onnx): ${dir}`, { dir, reason: 'no model' });
  const tj = readJson(join(dir, 'tokenizer.json'));
  const tc = readJson(join(dir, 'tokenizer_config.json')) ?? {};
  const cfg = readJson(join(dir, 'config.json')) ?? {};
  const sbert = readJson(join(dir, 'sentence_bert_config.json')) ?? {};
  const tokenizer: WordPieceOptions = {};
  let vocab: Map<string, number> | undefined;
  let tjMax: number | undefined;
  const model = tj?.model as Record<string, unknown> | undefined;
  if (model && model.type === 'WordPiece' && model.vocab && typeof model.vocab === 'object') {
    vocab = new Map();
    for (const [k, v] of Object.entries(model.vocab as Record<string, unknown>)) if (typeof v === 'number') vocab.set(k, v);
    tokenizer.unkToken = str(model.unk_token) ?? '[UNK]';
    tokenizer.continuingPrefix = str(model.continuing_subword_prefix) ?? '##';
    const mc = num(model.max_input_chars_per_word);
    if (mc !== undefined) tokenizer.maxInputCharsPerWord = mc;
    const norm = tj!.normalizer as Record<string, unknown> | null | undefined;
    if (norm && norm.type === 'BertNormalizer') {
      const lc = bool(norm.lowercase);
      if (lc !== undefined) tokenizer.lowercase = lc;
      const sa = bool(norm.strip_accents);
      if (sa !== undefined) tokenizer.stripAccents = sa;
      const cjk = bool(norm.handle_chinese_chars);
      if (cjk !== undefined) tokenizer.handleCjk = cjk;
    }
    tjMax = num((tj!.truncation as Record<string, unknown> | null | undefined)?.max_length);
  } else if (existsSync(join(dir, 'vocab.txt'))) {
    vocab = parseVocabTxt(readFileSync(join(dir, 'vocab.txt'), 'utf8'));
    const lc = bool(tc.do_lower_case);
    if (lc !== undefined) tokenizer.lowercase = lc;
    const sa = bool(tc.strip_accents);
    if (sa !== undefined) tokenizer.stripAccents = sa;
    const cjk = bool(tc.tokenize_chinese_chars);
    if (cjk !== undefined) tokenizer.handleCjk = cjk;
  }
  if (vocab === undefined || vocab.size === 0) {
    const reason = tj && !(model && model.type === 'WordPiece') ? 'tokenizer.json is not a WordPiece tokenizer and there is no vocab.txt' : 'no tokenizer.json or vocab.txt';
    throw new AiosError('EINVAL', `model folder has no WordPiece vocabulary: ${dir}`, { dir, reason });
  }
  for (const [k, opt] of [['unk_token', 'unkToken'], ['cls_token', 'clsToken'], ['sep_token', 'sepToken'], ['pad_token', 'padToken']] as const) {
    const v = str(tc[k]);
    if (v !== undefined && tokenizer[opt] === undefined) tokenizer[opt] = v;
  }
  // Max length: the smallest limit any file states (the model cannot take more than its position table).
  const limits = [num(sbert.max_seq_length), tjMax, num(tc.model_max_length), num(cfg.max_position_embeddings)]
    .filter((x): x is number => x !== undefined && x < 1e9);
  const maxLength = limits.length > 0 ? Math.min(...limits) : DEFAULT_MAX_LENGTH;
  const hiddenSize = num(cfg.hidden_size) ?? num(cfg.dim) ?? num(cfg.d_model);
  const name = str(cfg._name_or_path) ?? dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? dir;
  return { dir, modelPath, vocab, tokenizer, maxLength: Math.max(2, maxLength), ...(hiddenSize !== undefined ? { hiddenSize } : {}), name };
}

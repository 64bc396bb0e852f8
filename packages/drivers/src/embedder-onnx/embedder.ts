// The local transformer embedder (kind 'embedder'): a sentence-transformers-style ONNX model run in-process by
// onnxruntime-node on the CPU, our WordPiece tokenizer, mean pooling over the attention mask, L2 normalisation.
// No network. The folder is read at creation (EINVAL if unusable); the ONNX session is created on open() or on
// the first embed, once per embedder.
import { AiosError } from '@aios/abi';
import type { DriverInfo, EmbedderDriver } from '@aios/abi';
import { readModelFolder, type ModelFolder } from './folder.ts';
import { WordPieceTokenizer } from './wordpiece.ts';
import { meanPoolNormalize } from './pool.ts';

export interface OnnxEmbedderOptions {
  /** The model folder (ONNX file + tokenizer.json or vocab.txt). */
  dir: string;
  /** Output dimension; default config.json's hidden_size. Required when the folder does not say. */
  dim?: number;
  /** Texts per model run. Default 32. */
  batchSize?: number;
  /** Tokens per text incl. [CLS]/[SEP]; default the folder's limit, capped at 512. Longer texts are truncated. */
  maxLength?: number;
  /** onnxruntime intra-op threads. Default 1 (one core; the node shares the machine). */
  threads?: number;
}

export interface OnnxEmbedder extends EmbedderDriver {
  /** Creates the ONNX session now and checks the output's dimension (otherwise the first embed does). */
  open(): Promise<void>;
  close(): Promise<void>;
  readonly tokenizer: WordPieceTokenizer;
  readonly maxLength: number;
}

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

const posInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;

export function createOnnxEmbedder(opts: OnnxEmbedderOptions): OnnxEmbedder {
  for (const k of ['dim', 'batchSize', 'maxLength', 'threads'] as const) {
    if (opts[k] !== undefined && !posInt(opts[k])) throw new AiosError('EINVAL', `${k} must be a positive integer`, { [k]: opts[k] });
  }
  const folder: ModelFolder = readModelFolder(opts.dir);
  const dim = opts.dim ?? folder.hiddenSize;
  if (dim === undefined) throw new AiosError('EINVAL', `model folder does not state its dimension (config.json hidden_size): pass dim`, { dir: opts.dir, reason: 'unknown dimension' });
  const tokenizer = new WordPieceTokenizer(folder.vocab, folder.tokenizer);
  const maxLength = Math.min(opts.maxLength ?? folder.maxLength, folder.maxLength, 512);
  const batchSize = opts.batchSize ?? 32;
  let session: Promise<{ ort: Ort; s: Session }> | null = null;

  const info: DriverInfo = {
    name: 'embedder-onnx',
    version: '0.1.0',
    kind: 'embedder',
    model: folder.name,
    description: `local transformer sentence encoder (onnxruntime-node, CPU, no network): ${folder.name}, WordPiece ` +
      `(${folder.vocab.size} pieces, max ${maxLength} tokens), mean pooling, ${dim}-d unit vectors`,
  };

  const openSession = (): Promise<{ ort: Ort; s: Session }> => (session ??= (async () => {
    let ort: Ort;
    try {
      ort = await import('onnxruntime-node');
    } catch (err) {
      throw new AiosError('EIO', 'onnxruntime-node could not be loaded', { reason: (err as Error).message });
    }
    try {
      const s = await ort.InferenceSession.create(folder.modelPath, {
        intraOpNumThreads: opts.threads ?? 1, interOpNumThreads: 1, executionProviders: ['cpu'], graphOptimizationLevel: 'all',
      });
      if (!s.inputNames.includes('input_ids')) throw new Error(`model has no input_ids input (inputs: ${s.inputNames.join(', ')})`);
      return { ort, s };
    } catch (err) {
      throw new AiosError('EIO', `ONNX model could not be loaded: ${folder.modelPath}`, { path: folder.modelPath, reason: (err as Error).message });
    }
  })().catch((err: unknown) => { session = null; throw err; }));

  /** One model run over up to batchSize texts, padded to the longest. */
  async function runBatch(texts: string[]): Promise<Float32Array[]> {
    const { ort, s } = await openSession();
    const encs = texts.map((t) => tokenizer.encode(t, maxLength));
    const b = encs.length;
    const L = Math.max(...encs.map((e) => e.ids.length));
    const ids = new BigInt64Array(b * L).fill(BigInt(tokenizer.padId));
    const mask = new BigInt64Array(b * L);
    const maskF = new Float32Array(b * L);
    encs.forEach((e, i) => e.ids.forEach((id, j) => { ids[i * L + j] = BigInt(id); mask[i * L + j] = 1n; maskF[i * L + j] = 1; }));
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = { input_ids: new ort.Tensor('int64', ids, [b, L]) };
    if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [b, L]);
    if (s.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(b * L), [b, L]);
    let out;
    try {
      out = await s.run(feeds);
    } catch (err) {
      throw new AiosError('EIO', 'ONNX model run failed', { reason: (err as Error).message });
    }
    const name = ['last_hidden_state', 'token_embeddings', 'sentence_embedding'].find((n) => n in out) ?? s.outputNames[0]!;
    const t = out[name]!;
    const data = t.data;
    if (!(data instanceof Float32Array)) throw new AiosError('EIO', `model output ${name} is not float32`, { type: t.type });
    return meanPoolNormalize(data, t.dims.map(Number), maskF, b, L, dim!);
  }

  return {
    info,
    dim,
    tokenizer,
    maxLength,
    async open(): Promise<void> {
      await openSession();
      await runBatch(['']);
    },
    async close(): Promise<void> {
      const s = session;
      session = null;
      if (s) await (await s.catch(() => null))?.s.release();
    },
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts)) throw new AiosError('EINVAL', 'texts must be an array of strings');
      for (const t of texts) if (typeof t !== 'string') throw new AiosError('EINVAL', 'texts must be an array of strings', { type: typeof t });
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await runBatch(texts.slice(i, i + batchSize))));
      return out;
    },
  };
}

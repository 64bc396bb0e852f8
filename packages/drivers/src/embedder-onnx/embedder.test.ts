// embedder-onnx with a tiny ONNX model written by the test (Gather of a known table): pooling, normalisation,
// batching, the model's inputs, and EINVAL for unusable folders. No download.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxEmbedder } from './index.ts';
import { embedderFromEnv } from '../embedder-openai/index.ts';
import { tinyTableValue, writeTinyModelFolder } from './tiny-model.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', '##s', 'un', '##aff', '##able', '.'];
const DIM = 6;
const root = mkdtempSync(join(tmpdir(), 'aios-onnx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string, o: Parameters<typeof writeTinyModelFolder>[2]) => {
  const d = join(root, name);
  writeTinyModelFolder(d, VOCAB, o);
  return d;
};

/** Expected output: mean of table rows of the ids, L2-normalised. */
function expected(ids: number[]): number[] {
  const v = new Array(DIM).fill(0);
  for (const r of ids) for (let k = 0; k < DIM; k++) v[k] += tinyTableValue(r, k) / ids.length;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const close = (a: Float32Array, b: number[]) => Array.from(a).forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 5));

describe('embedder-onnx - local ONNX sentence encoder', () => {
  const dirTypes = folder('bert', { dim: DIM, withTokenTypes: true });
  const dirPlain = folder('plain', { dim: DIM, tokenizerJson: true, nested: false, maxLength: 4 });

  it('embedder-onnx - output is the mask-weighted mean of token vectors, L2-normalised, with dim from config.json', async () => {
    const e = createOnnxEmbedder({ dir: dirTypes });
    expect(e.dim).toBe(DIM);
    expect(e.info).toMatchObject({ name: 'embedder-onnx', kind: 'embedder', model: 'aios/tiny-gather' });
    const [a, b] = await e.embed(['Hello worlds', 'unaffable.']);
    close(a!, expected([2, 4, 5, 6, 3]));
    close(b!, expected([2, 7, 8, 9, 10, 3]));
    await e.close();
  });

  it('embedder-onnx - padding does not change a text\'s vector: batched equals one at a time, any batch size', async () => {
    const texts = ['hello', 'hello world worlds unaffable', '', 'world.', 'zzz'];
    const e1 = createOnnxEmbedder({ dir: dirTypes, batchSize: 1 });
    const e3 = createOnnxEmbedder({ dir: dirTypes, batchSize: 3 });
    const one = await e1.embed(texts);
    const three = await e3.embed(texts);
    expect(three).toHaveLength(5);
    one.forEach((v, i) => close(three[i]!, Array.from(v)));
    close(one[4]!, expected([2, 1, 3]));
    await Promise.all([e1.close(), e3.close()]);
  });

  it('embedder-onnx - a model without token_type_ids (tokenizer.json folder, model.onnx at the top) runs, truncating to its max length', async () => {
    const e = createOnnxEmbedder({ dir: dirPlain });
    expect(e.maxLength).toBe(4);
    await e.open();
    const [v] = await e.embed(['hello world hello world']);
    close(v!, expected([2, 4, 5, 3]));
    await e.close();
  });

  it('embedder-onnx - a folder without a model, without a vocabulary, or without a dimension is EINVAL with the reason', () => {
    const noModel = join(root, 'nomodel');
    mkdirSync(noModel);
    writeFileSync(join(noModel, 'vocab.txt'), VOCAB.join('\n'));
    expect(() => createOnnxEmbedder({ dir: noModel })).toThrow(expect.objectContaining({ code: 'EINVAL', detail: expect.objectContaining({ reason: 'no model' }) }));
    const noVocab = folder('novocab', { dim: DIM });
    rmSync(join(noVocab, 'vocab.txt'));
    expect(() => createOnnxEmbedder({ dir: noVocab })).toThrow(expect.objectContaining({ code: 'EINVAL', detail: expect.objectContaining({ reason: 'no tokenizer.json or vocab.txt' }) }));
    const noDim = folder('nodim', { dim: DIM });
    writeFileSync(join(noDim, 'config.json'), '{}');
    expect(() => createOnnxEmbedder({ dir: noDim })).toThrow(expect.objectContaining({ code: 'EINVAL', detail: expect.objectContaining({ reason: 'unknown dimension' }) }));
    expect(createOnnxEmbedder({ dir: noDim, dim: DIM }).dim).toBe(DIM);
    expect(() => createOnnxEmbedder({ dir: join(root, 'absent') })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOnnxEmbedder({ dir: dirTypes, batchSize: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('embedder-onnx - a stated dimension that the model does not produce is EIO on first use; bad input is EINVAL', async () => {
    const e = createOnnxEmbedder({ dir: dirTypes, dim: DIM + 1 });
    await expect(e.embed(['hello'])).rejects.toMatchObject({ code: 'EIO' });
    await expect(e.embed('x' as unknown as string[])).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(e.embed([3 as unknown as string])).rejects.toMatchObject({ code: 'EINVAL' });
    await e.close();
  });

  it('embedder-onnx - AIOS_EMBED_MODEL_DIR selects it; with AIOS_EMBED_BASE_URL too, or a bad folder, EINVAL', () => {
    expect(embedderFromEnv({ AIOS_EMBED_MODEL_DIR: dirTypes }).info.name).toBe('embedder-onnx');
    expect(embedderFromEnv({ AIOS_EMBED_MODEL_DIR: dirTypes, AIOS_EMBED_DIM: '6' }).dim).toBe(6);
    expect(() => embedderFromEnv({ AIOS_EMBED_MODEL_DIR: dirTypes, AIOS_EMBED_BASE_URL: 'http://127.0.0.1:9/v1' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => embedderFromEnv({ AIOS_EMBED_MODEL_DIR: join(root, 'absent') })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

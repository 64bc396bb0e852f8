// Benchmark of the embedders beyond embedder-wink: encode throughput (texts/s, one core) of embedder-trained and
// embedder-onnx against embedder-wink in the same run, and the cross-set routing figures of the trained encoder
// vs wink: each set is scored with the weights NOT trained on it (nearest centroid, 10 and 5 examples/intent, a
// fifth of the intents out of scope; see scripts/encoder/eval.ts). The ONNX model is $AIOS_EMBED_MODEL_DIR when
// set, else a tiny Gather model written by the bench (that measures the driver's overhead: tokenizer, batching,
// pooling, the onnxruntime call; not a transformer's speed). Prints one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWinkEmbedder } from '../packages/drivers/src/embedder-wink/index.ts';
import { createTrainedEmbedder } from '../packages/drivers/src/embedder-trained/index.ts';
import { createOnnxEmbedder } from '../packages/drivers/src/embedder-onnx/index.ts';
import { writeTinyModelFolder } from '../packages/drivers/src/embedder-onnx/tiny-model.ts';
import { loadSet } from '../scripts/encoder/data.ts';
import { evaluateRouting } from '../scripts/encoder/eval.ts';

const N = process.argv.includes('--full') ? 20_000 : 4_000;
const hwu = loadSet('hwu64');
const banking = loadSet('banking77');
const texts = [...Object.values(hwu.test).flat(), ...Object.values(banking.test).flat()].slice(0, N);

async function throughput(embed: (t: string[]) => Promise<Float32Array[]>): Promise<number> {
  await embed(texts.slice(0, 64));
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += 64) await embed(texts.slice(i, i + 64));
  return Math.round(texts.length / ((performance.now() - t0) / 1000));
}

const wink = createWinkEmbedder();
wink.open();
const trainedB = createTrainedEmbedder({ trainedOn: 'banking77' });
const trainedH = createTrainedEmbedder({ trainedOn: 'hwu64' });
trainedB.open();
trainedH.open();
let tmp: string | null = null;
let dir = process.env.AIOS_EMBED_MODEL_DIR;
if (!dir) {
  tmp = mkdtempSync(join(tmpdir(), 'aios-bench-onnx-'));
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''), ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `##${c}`)];
  writeTinyModelFolder(tmp, vocab, { dim: 384, withTokenTypes: true, maxLength: 128 });
  dir = tmp;
}
const onnx = createOnnxEmbedder({ dir, batchSize: 32 });
await onnx.open();

const r = {
  bench: 'encoders',
  texts: texts.length,
  throughputPerSec: {
    wink: await throughput((t) => wink.embed(t)),
    trained: await throughput((t) => trainedB.embed(t)),
    onnx: await throughput((t) => onnx.embed(t)),
  },
  onnxModel: process.env.AIOS_EMBED_MODEL_DIR ? onnx.info.model : 'tiny Gather model (driver overhead only)',
  crossSet: {
    note: 'each set scored with the trained weights NOT trained on it; wink in the same run',
    hwu64: {
      trainedOn: 'banking77',
      wink: { k10: evaluateRouting(hwu, wink.embedSync, 10), k5: evaluateRouting(hwu, wink.embedSync, 5) },
      trained: { k10: evaluateRouting(hwu, trainedB.embedSync, 10), k5: evaluateRouting(hwu, trainedB.embedSync, 5) },
    },
    banking77: {
      trainedOn: 'hwu64',
      wink: { k10: evaluateRouting(banking, wink.embedSync, 10), k5: evaluateRouting(banking, wink.embedSync, 5) },
      trained: { k10: evaluateRouting(banking, trainedH.embedSync, 10), k5: evaluateRouting(banking, trainedH.embedSync, 5) },
    },
  },
};
await onnx.close();
if (tmp) rmSync(tmp, { recursive: true, force: true });
console.log(JSON.stringify(r, null, 2));

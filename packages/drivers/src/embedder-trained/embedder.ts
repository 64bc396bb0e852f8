// The project's own trained sentence encoder (kind 'embedder'): the offline wink features plus a learned linear
// projection of their word-vector block (trained by `npm run train:encoder` on one public intent set with a
// contrastive loss; see weights/<set>.json for what it was trained and evaluated on). No network; the weights
// are committed files read on first use. Which weights: `trainedOn` ('banking77' by default, 'hwu64').
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AiosError } from '@aios/abi';
import type { DriverInfo, EmbedderDriver } from '@aios/abi';
import { createWinkEmbedder } from '../embedder-wink/index.ts';
import { combine } from './projection.ts';

export type TrainedOn = 'banking77' | 'hwu64';

export interface TrainedEmbedderOptions {
  /** Which shipped weights (named by the set they were trained on). Default 'banking77'. */
  trainedOn?: TrainedOn;
  /** A weights header (.json) to use instead of the shipped ones. */
  headerPath?: string;
}

export interface TrainedEmbedder extends EmbedderDriver {
  open(): void;
  close(): void;
  embedSync(text: string): Float32Array;
}

interface Header { format: string; weights: string; dtype: string; rows: number; cols: number; mixRaw: number; mixProjected: number; trainedOn: string }

/** The shipped weights folder: next to this file in the sources, or found from a bundle's folder upwards. */
export function weightsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const rel = join('packages', 'drivers', 'src', 'embedder-trained', 'weights');
  if (existsSync(join(here, 'weights'))) return join(here, 'weights');
  for (let d = here, i = 0; i < 6; i++, d = dirname(d)) if (existsSync(join(d, rel))) return join(d, rel);
  return join(here, 'weights');
}

function load(headerPath: string, inputDim: number): { h: Header; W: Float32Array } {
  let h: Header;
  let buf: Buffer;
  try {
    h = JSON.parse(readFileSync(headerPath, 'utf8')) as Header;
    buf = readFileSync(join(dirname(headerPath), h.weights));
  } catch (err) {
    throw new AiosError('EIO', `trained encoder weights could not be read: ${headerPath}`, { path: headerPath, reason: (err as Error).message });
  }
  if (h.format !== 'aios-trained-encoder/1' || h.dtype !== 'float32' || buf.byteLength !== h.rows * h.cols * 4 || h.cols > inputDim) {
    throw new AiosError('EIO', 'trained encoder weights are malformed', { path: headerPath, format: h.format, bytes: buf.byteLength });
  }
  const W = new Float32Array(h.rows * h.cols);
  new Uint8Array(W.buffer).set(buf);
  return { h, W };
}

export function createTrainedEmbedder(opts: TrainedEmbedderOptions = {}): TrainedEmbedder {
  const trainedOn = opts.trainedOn ?? 'banking77';
  if (trainedOn !== 'banking77' && trainedOn !== 'hwu64') throw new AiosError('EINVAL', 'trainedOn must be banking77 or hwu64', { trainedOn });
  const headerPath = opts.headerPath ?? join(weightsDir(), `${trainedOn}.json`);
  const wink = createWinkEmbedder();
  // The shipped weights are 128 rows; a custom header may differ, so dim is known only after load: read the
  // header (small) eagerly for the dimension, the weights lazily.
  let rows = 128;
  try { rows = (JSON.parse(readFileSync(headerPath, 'utf8')) as Header).rows; } catch { /* EIO on first use */ }
  const dim = wink.dim + rows;
  let model: { h: Header; W: Float32Array } | null = null;
  const get = () => (model ??= load(headerPath, wink.dim));
  const info: DriverInfo = {
    name: 'embedder-trained',
    version: '0.1.0',
    kind: 'embedder',
    model: `aios-trained-${trainedOn}`,
    description: `offline sentence encoder trained by the project (npm run train:encoder) on ${trainedOn}: embedder-wink ` +
      `features + a learned ${rows}-d contrastive projection of their word vectors, ${dim}-d unit vectors, no network`,
  };
  const embedSync = (text: string): Float32Array => {
    if (typeof text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { type: typeof text });
    const { h, W } = get();
    return combine(W, h.rows, h.cols, wink.embedSync(text), h.mixRaw, h.mixProjected, new Float32Array(dim));
  };
  return {
    info,
    dim,
    open(): void { wink.open(); get(); },
    close(): void { /* shared tables stay loaded */ },
    embedSync,
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts)) throw new AiosError('EINVAL', 'texts must be an array of strings');
      return texts.map(embedSync);
    },
  };
}

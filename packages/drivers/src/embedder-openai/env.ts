// Picks the node's embedder from the environment: an OpenAI-compatible embeddings server when
// AIOS_EMBED_BASE_URL is set, else the offline embedder-wink. Reads only the env object it is given.
import { AiosError } from '@aios/abi';
import { positiveIntVar, type Env } from '../env-vars.ts';
import type { EmbedderDriver } from '@aios/abi';
import { createWinkEmbedder } from '../embedder-wink/index.ts';
import { createOpenAIEmbedder } from './embedder.ts';
import { createOnnxEmbedder } from '../embedder-onnx/index.ts';
import { createTrainedEmbedder } from '../embedder-trained/index.ts';

export type EmbedEnv = Env;

/**
 * AIOS_EMBED_BASE_URL (e.g. http://127.0.0.1:11434/v1), AIOS_EMBED_MODEL (required with a base URL),
 * AIOS_EMBED_API_KEY, AIOS_EMBED_DIM (positive integer: expected dimension, also sent as `dimensions`),
 * AIOS_EMBED_TIMEOUT_MS. Bad values give EINVAL. AIOS_EMBED_MODEL_DIR (exclusive with a base URL): a local
 * sentence-transformers-style ONNX model folder run in-process (embedder-onnx; EINVAL if the folder is unusable).
 * Otherwise offline (no network): AIOS_EMBED_TRAINED=banking77|hwu64 picks the project's trained encoder
 * (embedder-trained, named by the set its weights were trained on), else embedder-wink (the default: see
 * docs/semantic-ipc.md "Embedders" for why the trained encoder is not the default).
 */
export function embedderFromEnv(env: EmbedEnv): EmbedderDriver {
  const baseURL = env.AIOS_EMBED_BASE_URL?.trim();
  const modelDir = env.AIOS_EMBED_MODEL_DIR?.trim();
  if (modelDir !== undefined && modelDir !== '') {
    if (baseURL !== undefined && baseURL !== '') throw new AiosError('EINVAL', 'AIOS_EMBED_MODEL_DIR and AIOS_EMBED_BASE_URL are both set: pick one embedder', { env: 'AIOS_EMBED_MODEL_DIR' });
    const dim = positiveIntVar(env, 'AIOS_EMBED_DIM');
    return createOnnxEmbedder({ dir: modelDir, ...(dim !== undefined ? { dim } : {}) });
  }
  if (baseURL === undefined || baseURL === '') {
    for (const name of ['AIOS_EMBED_MODEL', 'AIOS_EMBED_DIM', 'AIOS_EMBED_API_KEY']) {
      if (env[name] !== undefined && env[name] !== '') throw new AiosError('EINVAL', `${name} is set but AIOS_EMBED_BASE_URL is not`, { env: name });
    }
    const trained = env.AIOS_EMBED_TRAINED?.trim();
    if (trained !== undefined && trained !== '') {
      if (trained !== 'banking77' && trained !== 'hwu64') throw new AiosError('EINVAL', 'AIOS_EMBED_TRAINED must be banking77 or hwu64', { env: 'AIOS_EMBED_TRAINED', value: trained });
      return createTrainedEmbedder({ trainedOn: trained });
    }
    return createWinkEmbedder();
  }
  const model = env.AIOS_EMBED_MODEL?.trim();
  if (model === undefined || model === '') throw new AiosError('EINVAL', 'AIOS_EMBED_MODEL must be set with AIOS_EMBED_BASE_URL', { env: 'AIOS_EMBED_MODEL' });
  const apiKey = env.AIOS_EMBED_API_KEY;
  const dim = positiveIntVar(env, 'AIOS_EMBED_DIM');
  const timeoutMs = positiveIntVar(env, 'AIOS_EMBED_TIMEOUT_MS');
  return createOpenAIEmbedder({
    baseURL,
    model,
    ...(apiKey !== undefined && apiKey !== '' ? { apiKey } : {}),
    ...(dim !== undefined ? { dim } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

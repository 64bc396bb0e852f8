// Embedder driver for OpenAI-compatible HTTP APIs (OpenAI, Ollama, vLLM, LM Studio): POST {baseURL}/embeddings.
// Trusts nothing in the response: shape, count and dimension are checked (EIO), and every vector is L2-normalised.
import { AiosError } from '@aios/abi';
import type { DriverInfo, EmbedderDriver } from '@aios/abi';
import { redactUrl } from '../env-vars.ts';

export interface OpenAIEmbedderOptions {
  /** e.g. "https://api.openai.com/v1" or "http://127.0.0.1:11434/v1"; a trailing slash is ignored. */
  baseURL: string;
  model: string;
  /** Sent as "Authorization: Bearer <apiKey>" when given. */
  apiKey?: string;
  /**
   * Expected dimension. When given it is also sent as `dimensions` (OpenAI text-embedding-3 can shorten vectors)
   * and a response of another dimension is an EIO. When omitted, `dim` is 0 until the first successful call.
   */
  dim?: number;
  /** Per-request timeout (default 30 s); ETIMEDOUT when exceeded. */
  timeoutMs?: number;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Send `dimensions` in the request body (default: true when dim is given). Some servers reject the field. */
  sendDimensions?: boolean;
}

export interface OpenAIEmbedder extends EmbedderDriver {
  readonly dim: number;
}

interface EmbeddingsResponse {
  data?: Array<{ embedding?: unknown; index?: unknown }>;
}

export function createOpenAIEmbedder(opts: OpenAIEmbedderOptions): OpenAIEmbedder {
  if (!opts || typeof opts.baseURL !== 'string' || !/^https?:\/\//.test(opts.baseURL)) {
    throw new AiosError('EINVAL', 'baseURL must be an http(s) URL', { baseURL: opts?.baseURL });
  }
  if (typeof opts.model !== 'string' || opts.model === '') throw new AiosError('EINVAL', 'model is required');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const batchSize = opts.batchSize ?? 64;
  if (!(timeoutMs > 0)) throw new AiosError('EINVAL', 'timeoutMs must be > 0', { timeoutMs });
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AiosError('EINVAL', 'batchSize must be a positive integer', { batchSize });
  if (opts.dim !== undefined && (!Number.isInteger(opts.dim) || opts.dim < 1)) throw new AiosError('EINVAL', 'dim must be a positive integer', { dim: opts.dim });
  const url = `${opts.baseURL.replace(/\/+$/, '')}/embeddings`;
  const sendDims = opts.sendDimensions ?? opts.dim !== undefined;
  let dim = opts.dim ?? 0;

  const info: DriverInfo = {
    name: 'embedder-openai',
    version: '0.1.0',
    kind: 'embedder',
    description: `OpenAI-compatible embeddings API (${opts.model} at ${redactUrl(opts.baseURL)})`,
    model: opts.dim !== undefined ? `${opts.model}/${opts.dim}` : opts.model,
  };

  async function batch(texts: string[]): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: opts.model, input: texts, encoding_format: 'float' };
    if (sendDims && opts.dim !== undefined) body.dimensions = opts.dim;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    let res: Response;
    let json: EmbeddingsResponse;
    try {
      res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctl.signal });
      const raw = await res.text();
      if (!res.ok) {
        throw new AiosError('EIO', `embeddings request failed with HTTP ${res.status}`, { status: res.status, url, body: raw.slice(0, 500) });
      }
      try {
        json = JSON.parse(raw) as EmbeddingsResponse;
      } catch {
        throw new AiosError('EIO', 'embeddings response is not JSON', { status: res.status, url });
      }
    } catch (err) {
      if (err instanceof AiosError) throw err;
      if (ctl.signal.aborted) throw new AiosError('ETIMEDOUT', `embeddings request timed out after ${timeoutMs} ms`, { url, timeoutMs });
      throw new AiosError('EIO', `embeddings request failed: ${(err as Error)?.message ?? String(err)}`, { url }, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    const data = json?.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new AiosError('EIO', 'embeddings response has the wrong shape', { status: res.status, expected: texts.length, got: Array.isArray(data) ? data.length : null });
    }
    const out: Float32Array[] = new Array(texts.length);
    data.forEach((d, pos) => {
      const i = typeof d?.index === 'number' ? d.index : pos;
      const e = d?.embedding;
      if (!Number.isInteger(i) || i < 0 || i >= texts.length || out[i] !== undefined || !Array.isArray(e) || e.length === 0) {
        throw new AiosError('EIO', 'embeddings response has a bad item', { status: res.status, item: pos });
      }
      if (dim === 0) dim = e.length;
      if (e.length !== dim) throw new AiosError('EIO', `embedding has dimension ${e.length}, expected ${dim}`, { status: res.status, item: pos });
      const v = new Float32Array(dim);
      let n2 = 0;
      for (let k = 0; k < dim; k++) {
        const x = e[k];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new AiosError('EIO', 'embedding has a non-numeric value', { status: res.status, item: pos });
        v[k] = x;
        n2 += x * x;
      }
      if (n2 > 0) {
        const inv = 1 / Math.sqrt(n2);
        for (let k = 0; k < dim; k++) v[k]! *= inv;
      }
      out[i] = v;
    });
    return out;
  }

  return {
    info,
    get dim(): number {
      return dim;
    },
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw new AiosError('EINVAL', 'texts must be an array of strings');
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await batch(texts.slice(i, i + batchSize))));
      return out;
    },
  };
}

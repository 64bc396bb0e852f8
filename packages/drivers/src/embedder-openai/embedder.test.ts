// Tests of the OpenAI-compatible embedder against a fake HTTP server on 127.0.0.1 (no real network).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { createOpenAIEmbedder } from './index.ts';

type Handler = (body: { model: string; input: string[]; dimensions?: number }, req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
const requests: Array<{ body: { model: string; input: string[]; dimensions?: number }; auth: string | undefined; url: string | undefined }> = [];
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    const body = JSON.parse(raw);
    requests.push({ body, auth: req.headers.authorization, url: req.url });
    handler(body, req, res);
  });
});
let baseURL = '';

/** Deterministic fake embedding: [len, 1, index-of-text] (not unit length, so normalisation is visible). */
const ok: Handler = (body, _req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ object: 'list', data: body.input.map((t, i) => ({ object: 'embedding', index: i, embedding: [t.length, 1, 2] })) }));
};

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function code(p: Promise<unknown>): Promise<{ code: string; detail: unknown }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AiosError);
    return { code: (e as AiosError).code, detail: (e as AiosError).detail };
  }
  throw new Error('expected a rejection');
}

describe('embedder-openai', () => {
  it('embedder-openai - posts to {baseURL}/embeddings with model and key, and returns unit vectors in order', async () => {
    handler = ok;
    requests.length = 0;
    const e = createOpenAIEmbedder({ baseURL, model: 'nomic', apiKey: 'k1' });
    expect(e.info.kind).toBe('embedder');
    expect(e.dim).toBe(0);
    const v = await e.embed(['abcd', 'x']);
    expect(e.dim).toBe(3);
    expect(requests[0]!.url).toBe('/v1/embeddings');
    expect(requests[0]!.auth).toBe('Bearer k1');
    expect(requests[0]!.body.model).toBe('nomic');
    expect(requests[0]!.body.dimensions).toBeUndefined();
    const n = Math.sqrt(16 + 1 + 4);
    expect(Array.from(v[0]!)).toEqual(Array.from(new Float32Array([4 / n, 1 / n, 2 / n])));
    for (const x of v) expect(Math.hypot(...x)).toBeCloseTo(1, 6);
  });

  it('embedder-openai - splits input into batches of batchSize and keeps the order', async () => {
    handler = ok;
    requests.length = 0;
    const e = createOpenAIEmbedder({ baseURL, model: 'm', batchSize: 2, dim: 3 });
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const v = await e.embed(texts);
    expect(requests.map((r) => r.body.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(requests[0]!.body.dimensions).toBe(3);
    expect(v.map((x) => Math.round((x[0]! / x[1]!) * 1000) / 1000)).toEqual([1, 2, 3, 4, 5]);
    expect(await e.embed([])).toEqual([]);
  });

  it('embedder-openai - reorders items by their index field', async () => {
    handler = (body, _req, res) => {
      const data = body.input.map((t, i) => ({ index: i, embedding: [t.length, 0, 0] })).reverse();
      res.end(JSON.stringify({ data }));
    };
    const v = await createOpenAIEmbedder({ baseURL, model: 'm' }).embed(['a', 'bb']);
    expect(v.map((x) => x[0])).toEqual([1, 1]);
  });

  it('embedder-openai - HTTP errors are EIO with the status in detail', async () => {
    handler = (_b, _req, res) => { res.statusCode = 429; res.end('{"error":"slow down"}'); };
    const r = await code(createOpenAIEmbedder({ baseURL, model: 'm' }).embed(['a']));
    expect(r.code).toBe('EIO');
    expect((r.detail as { status: number }).status).toBe(429);
  });

  it('embedder-openai - malformed responses are EIO (not JSON, wrong count, wrong dimension, non-numbers)', async () => {
    const cases: Handler[] = [
      (_b, _q, res) => res.end('not json'),
      (_b, _q, res) => res.end(JSON.stringify({ data: [] })),
      (b, _q, res) => res.end(JSON.stringify({ data: b.input.map((_t, i) => ({ index: i, embedding: [1, 2] })) })),
      (b, _q, res) => res.end(JSON.stringify({ data: b.input.map((_t, i) => ({ index: i, embedding: [1, 'x', 2] })) })),
      (b, _q, res) => res.end(JSON.stringify({ data: b.input.map(() => ({ index: 0, embedding: [1, 2, 3] })) })),
    ];
    for (const h of cases) {
      handler = h;
      const r = await code(createOpenAIEmbedder({ baseURL, model: 'm', dim: 3 }).embed(['a', 'b']));
      expect(r.code).toBe('EIO');
    }
  });

  it('embedder-openai - a slow server is ETIMEDOUT', async () => {
    handler = (body, req, res) => { const t = setTimeout(() => ok(body, req, res), 2000); res.on('close', () => clearTimeout(t)); };
    const r = await code(createOpenAIEmbedder({ baseURL, model: 'm', timeoutMs: 50 }).embed(['a']));
    expect(r.code).toBe('ETIMEDOUT');
  });

  it('embedder-openai - an unreachable server is EIO', async () => {
    const r = await code(createOpenAIEmbedder({ baseURL: 'http://127.0.0.1:1/v1', model: 'm' }).embed(['a']));
    expect(r.code).toBe('EIO');
  });

  it('embedder-openai - bad options and bad input are EINVAL', async () => {
    expect(() => createOpenAIEmbedder({ baseURL: 'ftp://x', model: 'm' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOpenAIEmbedder({ baseURL, model: '' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOpenAIEmbedder({ baseURL, model: 'm', batchSize: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOpenAIEmbedder({ baseURL, model: 'm', dim: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const r = await code(createOpenAIEmbedder({ baseURL, model: 'm' }).embed([1 as unknown as string]));
    expect(r.code).toBe('EINVAL');
  });
});

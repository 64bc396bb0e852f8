import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmChunk } from '@aios/abi';
import { createOpenAIChatDriver, driverFromEnv } from './index.ts';

type Handler = (body: any, req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base = '';
let handler: Handler = () => undefined;
const seen: { body: any; auth: string | undefined; path: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = raw === '' ? null : JSON.parse(raw);
      seen.push({ body, auth: req.headers.authorization, path: req.url });
      handler(body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const json = (res: ServerResponse, status: number, obj: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
};
const sse = (res: ServerResponse, events: unknown[], done = true): void => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
  // Split writes mid-line to prove the reader reassembles lines.
  const mid = Math.floor(text.length / 2);
  res.write(text.slice(0, mid));
  setTimeout(() => res.end(text.slice(mid)), 5);
};
const ask = { messages: [{ role: 'user' as const, content: 'hi there' }] };

async function collect(it: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const out: LlmChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('llm-openai', () => {
  it('llm-openai - complete posts an OpenAI chat body and parses the answer', async () => {
    handler = (_b, _r, res) => json(res, 200, { model: 'm-served', choices: [{ message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 7, completion_tokens: 1 } });
    const d = createOpenAIChatDriver({ baseURL: `${base}/`, model: 'm1', apiKey: 'k-123', slots: 3 });
    expect(d.slots).toBe(3);
    const r = await d.complete({ ...ask, maxTokens: 5, temperature: 0, stop: ['\n'] });
    expect(r).toEqual({ text: 'hello', usage: { promptTokens: 7, completionTokens: 1 }, finishReason: 'stop', model: 'm-served' });
    const last = seen[seen.length - 1]!;
    expect(last.path).toBe('/v1/chat/completions');
    expect(last.auth).toBe('Bearer k-123');
    expect(last.body).toEqual({ model: 'm1', messages: ask.messages, max_tokens: 5, temperature: 0, stop: ['\n'] });
    expect(d.info.description).not.toContain('k-123');
  });

  it('llm-openai - stream reads SSE data lines up to [DONE] and ends with the usage chunk', async () => {
    handler = (_b, _r, res) => sse(res, [
      { model: 'm1', choices: [{ delta: { role: 'assistant' } }] },
      { model: 'm1', choices: [{ delta: { content: 'Hel' } }] },
      { model: 'm1', choices: [{ delta: { content: 'lo!' }, finish_reason: 'length' }] },
      { model: 'm1', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } },
    ]);
    const d = createOpenAIChatDriver({ baseURL: base, model: 'm1' });
    const chunks = await collect(d.stream(ask));
    expect(chunks.map((c) => c.delta).join('')).toBe('Hello!');
    expect(chunks[chunks.length - 1]).toEqual({ delta: '', done: true, finishReason: 'length', usage: { promptTokens: 4, completionTokens: 2 }, model: 'm1' });
    expect(seen[seen.length - 1]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('llm-openai - stream without a usage chunk estimates usage', async () => {
    handler = (_b, _r, res) => sse(res, [{ choices: [{ delta: { content: 'a b c' }, finish_reason: 'stop' }] }]);
    const d = createOpenAIChatDriver({ baseURL: base, model: 'm1', streamUsage: false });
    const chunks = await collect(d.stream(ask));
    expect(chunks[chunks.length - 1]).toMatchObject({ done: true, usage: { promptTokens: 4, completionTokens: 3 } });
    expect(seen[seen.length - 1]!.body.stream_options).toBeUndefined();
  });

  it('llm-openai - HTTP errors become EIO with the status in detail', async () => {
    handler = (_b, _r, res) => json(res, 503, { error: { message: 'overloaded' } });
    const d = createOpenAIChatDriver({ baseURL: base, model: 'm1' });
    await expect(d.complete(ask)).rejects.toMatchObject({ code: 'EIO', detail: { status: 503, body: 'overloaded' } });
    await expect(collect(d.stream(ask))).rejects.toMatchObject({ code: 'EIO', detail: { status: 503 } });
    handler = (_b, _r, res) => json(res, 200, { nothing: true });
    await expect(d.complete(ask)).rejects.toMatchObject({ code: 'EIO' });
  });

  it('llm-openai - an unreachable server is EIO', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const d = createOpenAIChatDriver({ baseURL: `http://127.0.0.1:${port}/v1`, model: 'm1' });
    await expect(d.complete(ask)).rejects.toMatchObject({ code: 'EIO' });
  });

  it('llm-openai - a silent server is ETIMEDOUT; the caller aborting is ECANCELED', async () => {
    handler = () => undefined; // never answers
    const d = createOpenAIChatDriver({ baseURL: base, model: 'm1', timeoutMs: 50 });
    await expect(d.complete(ask)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(collect(d.stream(ask))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const slow = createOpenAIChatDriver({ baseURL: base, model: 'm1' });
    const ctl = new AbortController();
    const p = slow.complete(ask, ctl.signal);
    setTimeout(() => ctl.abort(), 10);
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED' });
  });

  it('llm-openai - aborting mid-stream is ECANCELED', async () => {
    handler = (_b, _r, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'first' } }] })}\n\n`);
    };
    const d = createOpenAIChatDriver({ baseURL: base, model: 'm1' });
    const ctl = new AbortController();
    const got: string[] = [];
    const run = (async () => {
      for await (const c of d.stream(ask, ctl.signal)) {
        got.push(c.delta);
        ctl.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: 'ECANCELED' });
    expect(got).toEqual(['first']);
  });

  it('llm-openai - bad options and requests get EINVAL', async () => {
    expect(() => createOpenAIChatDriver({ baseURL: 'not a url', model: 'm' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOpenAIChatDriver({ baseURL: 'ftp://x', model: 'm' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOpenAIChatDriver({ baseURL: base, model: '' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createOpenAIChatDriver({ baseURL: base, model: 'm', slots: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const d = createOpenAIChatDriver({ baseURL: base, model: 'm' });
    await expect(d.complete({ messages: [] })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('llm-openai - driverFromEnv picks the offline stand-in without a base URL', () => {
    expect(driverFromEnv({}).info.name).toBe('llm-offline');
    const d = driverFromEnv({ AIOS_LLM_BASE_URL: base, AIOS_LLM_MODEL: 'm1', AIOS_LLM_API_KEY: 'k', AIOS_LLM_SLOTS: '8' });
    expect(d.info.name).toBe('llm-openai');
    expect(d.slots).toBe(8);
    expect(() => driverFromEnv({ AIOS_LLM_BASE_URL: base })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => driverFromEnv({ AIOS_LLM_SLOTS: 'two' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('llm-openai - pipeline: 2 by default, set by option or AIOS_LLM_PIPELINE (0 allowed), EINVAL when negative or fractional', () => {
    expect(createOpenAIChatDriver({ baseURL: base, model: 'm' }).pipeline).toBe(2);
    expect(createOpenAIChatDriver({ baseURL: base, model: 'm', pipeline: 0 }).pipeline).toBe(0);
    expect(driverFromEnv({ AIOS_LLM_BASE_URL: base, AIOS_LLM_MODEL: 'm', AIOS_LLM_PIPELINE: '0' }).pipeline).toBe(0);
    expect(driverFromEnv({ AIOS_LLM_BASE_URL: base, AIOS_LLM_MODEL: 'm', AIOS_LLM_PIPELINE: '3' }).pipeline).toBe(3);
    expect(() => createOpenAIChatDriver({ baseURL: base, model: 'm', pipeline: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => driverFromEnv({ AIOS_LLM_BASE_URL: base, AIOS_LLM_MODEL: 'm', AIOS_LLM_PIPELINE: '1.5' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

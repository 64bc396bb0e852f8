// A node whose embedder device is an OpenAI-compatible embeddings server (here a fake one on 127.0.0.1 that serves
// [0.8 v, 0.6 h]: v the offline embedder's vector, h a unit vector drawn from a hash of the text, so the cosine of
// two different texts shrinks to about 0.64 of the offline one and the offline threshold would refuse too much).
// semantic-ipcd must derive its own threshold for it from the registered intents, route in-scope requests, refuse out-of-scope ones,
// and report where the threshold came from (`aios intents --status`).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, type AiosNode } from 'aios';
import { isAiosError, type AiosError } from '@aios/abi';
import { createWinkEmbedder } from '@aios/drivers/embedder-wink';
import { createOpenAIEmbedder } from '@aios/drivers/embedder-openai';
import { MIN_LOO_SAMPLES, MIN_REGISTRY_THRESHOLD } from '@aios/services/semantic-ipcd';
import { until } from './helpers.ts';
import { ASK_COMMANDS } from '../../apps/cli/src/cli/ask-commands.ts';
import { MEM_COMMANDS } from '../../apps/cli/src/cli/mem-commands.ts';

const F = join(import.meta.dirname, 'fixtures');
const wink = createWinkEmbedder();
const NOISE_DIM = 32;

/** A unit vector drawn deterministically from the text (FNV-1a seed, xorshift32, uniform in [-1, 1]). */
function textNoise(t: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < NOISE_DIM; i++) {
    h ^= h << 13; h >>>= 0; h ^= h >>> 17; h ^= h << 5; h >>>= 0;
    out.push((h / 0xffffffff) * 2 - 1);
  }
  const n = Math.hypot(...out);
  return out.map((x) => x / n);
}
let server: Server;
let requests = 0;
let node: AiosNode;
let dataDir: string;
let baseURL: string;
let asker: number;

async function cli(cmd: string, values: Record<string, string | boolean>, pos: string[] = [], dir = dataDir): Promise<string> {
  const lines: string[] = [];
  const code = await ({ ...ASK_COMMANDS, ...MEM_COMMANDS })[cmd]!.run({ ...values, 'data-dir': dir }, pos, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  expect(code).toBe(0);
  return lines.join('\n');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      requests++;
      const body = JSON.parse(raw) as { input: string[] };
      const data = body.input.map((t, index) => ({ index, embedding: [...Array.from(wink.embedSync(t), (x) => 0.8 * x), ...textNoise(t).map((x) => 0.6 * x)] }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  dataDir = mkdtempSync(join(tmpdir(), 'aios-embed-'));
  node = await boot({ dataDir, config: { services: true, api: true, port: 0, embedder: createOpenAIEmbedder({ baseURL, model: 'fake-noisy-wink' }) } });
  const host = node.host;
  const svc = await until(() => host.find('semantic-ipcd').id, (id) => id > 0, 'semantic-ipcd to start');
  await until(() => host.request<{ embedder: boolean }>(svc, { op: 'status' }), (s) => s.embedder, 'the router');
  const services = { 'semantic-ipcd': svc };
  await host.spawn(join(F, 'translator.ts'), { services });
  await host.spawn(join(F, 'weather.ts'), { services, config: { cost: 1 } });
  asker = await host.spawn(join(F, 'asker.ts'), { services });
  await until(() => host.request<unknown[]>(svc, { op: 'intents' }), (rows) => rows.length >= 2, 'the intents to register');
}, 90_000);

afterAll(async () => {
  await node?.shutdown();
  server?.closeAllConnections();
  await new Promise<void>((r) => server?.close(() => r()));
});

describe('semantic - a configured embedder', () => {
  it('semantic - semantic-ipcd derives its threshold from the live registry for an unknown embedder and says so (aios intents --status)', async () => {
    const st = JSON.parse(await cli('intents', { status: true, json: true })) as { embedderName: string; threshold: number; thresholdSource: string; thresholdSamples: number };
    expect(st.embedderName).toBe('embedder-openai');
    // The registered examples' leave-one-out scores (enough of them: the fixtures register several intents).
    expect(st.thresholdSource).toBe('registry');
    expect(st.thresholdSamples).toBeGreaterThanOrEqual(MIN_LOO_SAMPLES);
    expect(st.threshold).toBeGreaterThanOrEqual(MIN_REGISTRY_THRESHOLD);
    expect(st.threshold).toBeLessThan(1);
    expect(requests).toBeGreaterThan(0);
    const text = await cli('intents', { status: true });
    expect(text).toMatch(/^thresholdSource: registry$/m);
  });

  it('semantic - requests route through the configured embedder, and out-of-scope ones are refused', async () => {
    const r = await node.host.request(asker, { op: 'ask', text: 'please translate this into Italian', payload: { text: 'hello', to: 'it' } }, 20_000);
    expect(r).toMatchObject({ translated: '[it] hello' });
    let err: AiosError | null = null;
    try {
      await node.host.request(asker, { op: 'ask', text: 'book me a table for two at a restaurant tonight' }, 20_000);
    } catch (e) {
      if (isAiosError(e)) err = e as AiosError;
    }
    expect(err?.code).toBe('ENOROUTE');
  });

  it('semantic - the memory fabric embeds with the same configured embedder', async () => {
    const before = requests;
    await until(() => cli('mem', {}, ['put', 'my car is red']), (id) => id.length > 0, 'memoryd');
    const hits = JSON.parse(await cli('mem', { json: true }, ['search', 'automobile colour'])) as Array<{ item: { text: string } }>;
    expect(hits[0]?.item.text).toBe('my car is red');
    expect(requests).toBeGreaterThan(before);
    const ns = JSON.parse(await cli('mem', { json: true }, ['ls'])) as Array<{ name: string; embedder: string; dim: number }>;
    expect(ns.find((r) => r.name === 'cli')).toMatchObject({ embedder: 'embedder-openai:fake-noisy-wink', dim: 640 + 32 }); // the model is part of its identity
  });
});

describe('memory - a node that changed embedders', () => {
  it('memory - a namespace made with the offline embedder is EIO under the new one until aios mem reembed moves it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aios-reembed-'));
    const first = await boot({ dataDir: dir, config: { services: true, api: true, port: 0, embedder: createWinkEmbedder() } });
    try {
      await until(() => cli('mem', {}, ['put', 'the invoice is due on Friday'], dir), (id) => id.length > 0, 'memoryd');
    } finally {
      await first.shutdown();
    }
    const second = await boot({ dataDir: dir, config: { services: true, api: true, port: 0, embedder: createOpenAIEmbedder({ baseURL, model: 'fake-noisy-wink' }) } });
    try {
      await until(() => second.host.find('memoryd').id, (id) => id > 0, 'memoryd');
      let code = '';
      try {
        await MEM_COMMANDS.mem!.run({ json: true, 'data-dir': dir }, ['search', 'bill'], { out: () => {}, err: () => {} });
      } catch (e) {
        code = (e as { code?: string }).code ?? '';
      }
      expect(code).toBe('EIO');
      const r = JSON.parse(await cli('mem', { json: true }, ['reembed'], dir)) as { ns: string; count: number };
      expect(r.count).toBe(1);
      const hits = JSON.parse(await cli('mem', { json: true }, ['search', 'when is the invoice due'], dir)) as Array<{ item: { text: string } }>;
      expect(hits[0]?.item.text).toBe('the invoice is due on Friday');
      const ns = JSON.parse(await cli('mem', { json: true }, ['ls'], dir)) as Array<{ name: string; embedder: string }>;
      expect(ns.find((x) => x.name === 'cli')?.embedder).toBe('embedder-openai:fake-noisy-wink');
    } finally {
      await second.shutdown();
    }
  }, 90_000);
});

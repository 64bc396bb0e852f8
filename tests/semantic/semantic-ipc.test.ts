// Semantic IPC end to end: a real node (initd starts semantic-ipcd with the embedder device), agents declaring
// intents, an agent asking through @aios/runtime/ipc, and the CLI commands over the HTTP routes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, type AiosNode } from 'aios';
import { HTTP_STATUS_BY_CODE, isAiosError, type AiosError, type KernelEvent } from '@aios/abi';
import { DEFAULT_THRESHOLD } from '@aios/services/semantic-ipcd';
import { handleAskRoute } from '../../apps/node/src/api/ask-routes.ts';
import { until } from './helpers.ts';
import { ASK_COMMANDS } from '../../apps/cli/src/cli/ask-commands.ts';
import { serviceImage } from '../../apps/node/src/node/services.ts';
import { writeNodeFile, writeToken } from '../../apps/node/src/node/data-dir.ts';

const F = join(import.meta.dirname, 'fixtures');

let node: AiosNode;
let svc: number;
let asker: number;
let translator: number;
let w1: number;
let w2: number;
const routes: KernelEvent[] = [];

/** Drives the asker agent: it calls @aios/runtime/ipc and replies with the result or the error. */
function viaAgent<T = unknown>(body: Record<string, unknown>, agent = asker): Promise<T> {
  return node.host.request<T>(agent, body, 20_000);
}

async function codeOf(p: Promise<unknown>): Promise<AiosError> {
  try {
    await p;
  } catch (e) {
    if (isAiosError(e)) return e as AiosError;
    throw e;
  }
  throw new Error('expected an error');
}

async function intentCount(): Promise<number> {
  return (await node.host.request<unknown[]>(svc, { op: 'intents' })).length;
}

beforeAll(async () => {
  node = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-sem-')), config: { services: true } });
  const host = node.host;
  svc = await until(() => host.find('semantic-ipcd').id, (id) => id > 0, 'semantic-ipcd to start');
  const status = await host.request<{ embedder: boolean; embedderName: string; threshold: number; thresholdSource: string }>(svc, { op: 'status' });
  expect(status).toMatchObject({ embedder: true, embedderName: 'embedder-wink', threshold: DEFAULT_THRESHOLD, thresholdSource: 'default' });
  host.kernel.subscribeHost(`user.${svc}.route`, (e) => void routes.push(e));
  const services = { 'semantic-ipcd': svc };
  translator = await host.spawn(join(F, 'translator.ts'), { services });
  w1 = await host.spawn(join(F, 'weather.ts'), { services, config: { cost: 5 } });
  w2 = await host.spawn(join(F, 'weather.ts'), { services, config: { cost: 2 } });
  await host.spawn(join(F, 'stuck.ts'), { services });
  asker = await host.spawn(join(F, 'asker.ts'), { services });
  await until(intentCount, (n) => n >= 4, 'the intents to register');
}, 60_000);

afterAll(async () => {
  await node?.shutdown();
});

describe('semantic - ask from an agent', () => {
  it('semantic - a request in free text reaches the handler, which sees the payload and the text', async () => {
    const r = await viaAgent({ op: 'ask', text: 'please translate this into Italian', payload: { text: 'hello', to: 'it' } });
    expect(r).toEqual({ translated: '[it] hello', askedWith: 'please translate this into Italian' });
    const ev = routes.find((e) => e.data.intent === 'translate');
    expect(ev?.data).toMatchObject({ op: 'ask', asker, target: translator, via: 'text', score: expect.any(Number) });
  });

  it('semantic - an exact intent name routes by name', async () => {
    expect(await viaAgent({ op: 'ask', text: 'translate', payload: { text: 'ciao', to: 'fr' } })).toMatchObject({ translated: '[fr] ciao' });
  });

  it('semantic - an out-of-scope request is ENOROUTE with the candidates and their scores', async () => {
    const e = await codeOf(viaAgent({ op: 'ask', text: 'book me a table for two at a restaurant tonight' }));
    expect(e.code).toBe('ENOROUTE');
    const d = e.detail as { threshold: number; candidates: Array<{ intent: string; score: number }> };
    expect(d.candidates.length).toBeGreaterThan(0);
    for (const c of d.candidates) expect(c.score).toBeLessThan(d.threshold);
  });

  it('semantic - a payload that violates the input schema is EINVAL with the schema errors', async () => {
    const e = await codeOf(viaAgent({ op: 'ask', text: 'translate this into Italian', payload: { text: '', to: 'xx', extra: 1 } }));
    expect(e.code).toBe('EINVAL');
    const paths = (e.detail as { errors: Array<{ path: string }> }).errors.map((x) => x.path).sort();
    expect(paths).toEqual(['/text', '/to']); // zod's input schema lets unknown keys through (it strips them)
    expect((await codeOf(viaAgent({ op: 'ask', text: 'what is the weather in Rome' }))).code).toBe('EINVAL');
  });

  it('semantic - a handler that never answers is ETIMEDOUT after the timeout', async () => {
    const e = await codeOf(viaAgent({ op: 'ask', text: 'summarise', payload: {}, timeoutMs: 200 }));
    expect(e.code).toBe('ETIMEDOUT');
    expect(e.detail).toMatchObject({ intent: 'summarise', timeoutMs: 200 });
  });

  it('semantic - of two instances the least loaded one serves', async () => {
    const host = node.host;
    const loaded = async (busy: number, idle: number) => {
      host.call('AgentSuspend', host.handleFor(busy));
      for (let i = 0; i < 3; i++) host.send(busy, 'queued');
      try {
        const r = await viaAgent<{ servedBy: number }>({ op: 'ask', text: 'will it rain tomorrow in London', payload: { city: 'London' } });
        expect(r.servedBy).toBe(idle);
      } finally {
        host.call('AgentResume', host.handleFor(busy));
      }
      await until(() => host.ps().find((a) => a.id === busy)!.mailbox, (n) => n === 0, 'the queue to drain');
    };
    await loaded(w1, w2);
    await loaded(w2, w1);
  });

  it('semantic - multicast delivers to every target above the threshold', async () => {
    const r = await viaAgent<Array<{ agent: number; ok: boolean; result: { servedBy: number } }>>({ op: 'multicast', text: 'weather forecast for Paris', payload: { city: 'Paris' } });
    expect(r.map((x) => x.agent).sort()).toEqual([w1, w2].sort());
    for (const x of r) expect(x).toMatchObject({ ok: true, result: { city: 'Paris', servedBy: x.agent } });
  });

  it('semantic - negotiate collects bids cheapest first, and award sends to the chosen bidder', async () => {
    const bids = await viaAgent<Array<{ agent: number; cost: number; intent: string }>>({ op: 'negotiate', text: 'weather forecast for Paris' });
    expect(bids.map((b) => [b.agent, b.cost])).toEqual([[w2, 2], [w1, 5]]);
    const r = await viaAgent<{ servedBy: number }>({ op: 'award', bid: bids[1], payload: { city: 'Oslo' } });
    expect(r.servedBy).toBe(w1);
  });

  it('semantic - intents lists every registered intent with its JSON Schema', async () => {
    const rows = await viaAgent<Array<{ intent: string; agent: number; input?: { type?: string } }>>({ op: 'intents' });
    const tr = rows.find((r) => r.intent === 'translate')!;
    expect(tr.agent).toBe(translator);
    expect(tr.input).toMatchObject({ type: 'object', required: ['text', 'to'] });
    expect(rows.filter((r) => r.intent === 'weather').length).toBe(2);
  });

  it('semantic - an exited agent is dropped from the routes', async () => {
    const services = { 'semantic-ipcd': svc };
    const g = await node.host.spawn(join(F, 'greeter.ts'), { services, domain: 'native' });
    const before = await until(intentCount, (n) => n >= 5, 'greeter to register');
    node.kill(g);
    await until(intentCount, (n) => n === before - 1, 'greeter to be dropped');
    expect((await codeOf(viaAgent({ op: 'ask', text: 'greet', payload: { name: 'x' } }))).code).toBe('ENOROUTE');
  });
});

describe('semantic - policy', () => {
  it('semantic - config.allow limits which agents reach which intents (EACCES), and requests need a SEND handle', async () => {
    const host = node.host;
    const strict = await host.spawn({ path: serviceImage('semantic-ipcd') }, {
      name: 'semantic-ipcd-strict', domain: 'native', capabilities: ['admin'], devices: ['embedder'],
      config: { allow: [{ from: 'trusted-*', intents: ['weather'] }] },
    });
    await until(() => host.request<unknown[]>(strict, { op: 'intents' }), (l) => l.length >= 4, 'strict to index');
    const services = { 'semantic-ipcd': strict };
    const plain = await host.spawn(join(F, 'asker.ts'), { services });
    const trusted = await host.spawn(join(F, 'asker.ts'), { services, name: 'trusted-asker' });
    const ask = { op: 'ask', text: 'weather forecast for Paris', payload: { city: 'Paris' } };
    expect((await codeOf(viaAgent(ask, plain))).code).toBe('EACCES');
    expect(await viaAgent(ask, trusted)).toMatchObject({ city: 'Paris' });
    expect((await codeOf(viaAgent({ op: 'ask', text: 'translate', payload: { text: 'a', to: 'it' } }, trusted))).code).toBe('EACCES');
    // An agent that was not given semantic-ipcd cannot name it.
    const granted = host.defaultServices.get('semantic-ipcd');
    host.defaultServices.delete('semantic-ipcd');
    const lonely = await host.spawn(join(F, 'asker.ts'), { name: 'lonely' });
    if (granted !== undefined) host.defaultServices.set('semantic-ipcd', granted);
    expect((await codeOf(viaAgent(ask, lonely))).code).toBe('ENOENT');
    node.kill(strict);
  }, 30_000);
});

describe('semantic - conformance', () => {
  it('semantic - an agent file with intents runs unchanged in the native and wasm domains', async () => {
    const services = { 'semantic-ipcd': svc };
    const out: unknown[] = [];
    for (const domain of ['native', 'wasm'] as const) {
      const g = await node.host.spawn(join(F, 'greeter.ts'), { services, domain });
      expect(node.host.ps().find((a) => a.id === g)?.domain).toBe(domain);
      await until(() => node.host.request<Array<{ agent: number }>>(svc, { op: 'intents' }), (l) => l.some((r) => r.agent === g), `greeter in ${domain}`);
      out.push(await viaAgent({ op: 'ask', text: 'greet', payload: { name: 'Ada' } }));
      const bids = await viaAgent<Array<{ agent: number; cost: number }>>({ op: 'negotiate', text: 'greet' });
      expect(bids.map((b) => b.agent)).toEqual([g]);
      out.push(bids.map(({ agent: _a, ...rest }) => rest));
      node.kill(g);
      await until(intentCount, (n) => n === 4, 'greeter to leave');
    }
    expect(out[0]).toEqual({ greeting: 'hello Ada', text: 'greet', intent: 'greet' });
    expect(out[2]).toEqual(out[0]);
    expect(out[3]).toEqual(out[1]);
    expect((out[1] as Array<{ cost: number }>)[0]!.cost).toBe(3);
  }, 30_000);
});

describe('semantic - CLI', () => {
  let server: Server;
  let dataDir: string;
  beforeAll(async () => {
    // The node's API server with the ask routes (the lead wires handleAskRoute into api/server.ts the same way).
    dataDir = mkdtempSync(join(tmpdir(), 'aios-sem-cli-'));
    const token = writeToken(dataDir);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      handleAskRoute(node.host, req, res, url).then(
        (handled) => void (handled || res.writeHead(404).end()),
        (e: AiosError) => {
          const text = JSON.stringify({ error: { code: e.code, message: e.message, detail: e.detail } });
          res.writeHead(HTTP_STATUS_BY_CODE[e.code] ?? 500, { 'content-type': 'application/json' }).end(text);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    writeNodeFile(dataDir, { pid: process.pid, port, host: '127.0.0.1', startedAt: 0 });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = async (cmd: 'ask' | 'intents', values: Record<string, string | boolean>, pos: string[] = []) => {
    const lines: string[] = [];
    const code = await ASK_COMMANDS[cmd]!.run({ ...values, 'data-dir': dataDir }, pos, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    return { code, out: lines.join('\n') };
  };

  it('semantic - aios ask "TEXT" --payload JSON --json prints the result', async () => {
    const r = await run('ask', { json: true, payload: '{"text":"hi","to":"de"}' }, ['translate this sentence to German']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ translated: '[de] hi' });
  });

  it('semantic - aios ask errors keep their code (ENOROUTE, EINVAL)', async () => {
    expect((await codeOf(run('ask', {}, ['book me a table for two at a restaurant tonight']))).code).toBe('ENOROUTE');
    expect((await codeOf(run('ask', { payload: '{bad' }, ['x']))).code).toBe('EINVAL');
  });

  it('semantic - aios intents lists the registry (table and --json)', async () => {
    const json = await run('intents', { json: true });
    expect((JSON.parse(json.out) as Array<{ intent: string }>).map((r) => r.intent)).toEqual(expect.arrayContaining(['translate', 'weather', 'summarise']));
    const table = await run('intents', {});
    expect(table.out).toMatch(/AGENT\s+NAME\s+INTENT\s+DESCRIPTION/);
    expect(table.out).toContain('translator');
  });
});


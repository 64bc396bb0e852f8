// semantic-ipcd with a model device that is a real model (here a scripted one): close routing calls go to the
// model, which picks among the top candidates or refuses; the status op reports what the judge did. The unit sets
// margin 1 so every text request counts as close (the scripted model decides all of them).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, type AiosNode } from 'aios';
import { isAiosError, type LlmDriver, type LlmRequest } from '@aios/abi';
import { createOfflineDriver } from '@aios/drivers/llm-offline';
import { until } from './helpers.ts';

const F = join(import.meta.dirname, 'fixtures');
const seen: string[] = [];
/** Answers "translate" for anything about Rome, "none" for pizza, else the first listed intent. */
function scriptedModel(): LlmDriver {
  const base = createOfflineDriver();
  return {
    ...base,
    info: { ...base.info, name: 'scripted-llm', description: 'scripted test model' },
    async complete(req: LlmRequest) {
      const user = String(req.messages.at(-1)?.content ?? '');
      seen.push(user);
      const first = /^- ([^:]+):/m.exec(user)?.[1] ?? 'none';
      const text = /pizza/i.test(user) ? 'none' : /Rome/.test(user) ? 'translate' : first;
      return { text, usage: { promptTokens: 40, completionTokens: 2 }, finishReason: 'stop', model: 'scripted' };
    },
  };
}

let node: AiosNode;
let svc: number;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aios-judge-'));
  mkdirSync(join(dataDir, 'units'));
  writeFileSync(join(dataDir, 'units', 'semantic-ipcd.json'), JSON.stringify({ name: 'semantic-ipcd', opts: { domain: 'native', config: { judge: { margin: 1 } } } }));
  node = await boot({ dataDir, config: { services: true, llm: scriptedModel() } });
  const host = node.host;
  svc = await until(() => host.find('semantic-ipcd').id, (id) => id > 0, 'semantic-ipcd to start');
  const services = { 'semantic-ipcd': svc };
  await host.spawn(join(F, 'translator.ts'), { services });
  await host.spawn(join(F, 'weather.ts'), { services, config: { cost: 1 } });
  await until(() => host.request<unknown[]>(svc, { op: 'intents' }), (rows) => rows.length >= 2, 'the intents to register');
}, 90_000);

afterAll(async () => {
  await node?.shutdown();
});

describe('semantic - a model judges close routing calls', () => {
  it('semantic - the model picks among the top candidates by name and description, and can override the best score', async () => {
    const r = await node.host.request<{ translated: string }>(svc, { op: 'ask', text: 'what is the weather in Rome', payload: { text: 'ciao', to: 'it' } }, 20_000);
    expect(r.translated).toBe('[it] ciao');
    const shown = seen.find((s) => s.includes('Rome'))!;
    expect(shown).toContain('- translate: translate text from one language into another language');
    expect(shown).toContain('- weather:');
  });

  it('semantic - "none" from the model is ENOROUTE, and verdicts are cached per request text', async () => {
    for (let i = 0; i < 2; i++) {
      try {
        await node.host.request(svc, { op: 'ask', text: 'order a large pizza with extra cheese', payload: { city: 'x' } }, 20_000);
        throw new Error('expected ENOROUTE');
      } catch (e) {
        expect(isAiosError(e) && e.code).toBe('ENOROUTE');
        expect((e as { detail?: { judge?: string } }).detail?.judge).toBe('none');
      }
    }
    expect(seen.filter((s) => s.includes('pizza'))).toHaveLength(1);
    const st = await node.host.request<{ judge: { calls: number; cached: number; refusals: number; picks: number } }>(svc, { op: 'status' });
    expect(st.judge).toMatchObject({ calls: 2, cached: 1, refusals: 2, picks: 1 });
  });
});

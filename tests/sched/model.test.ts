// The model device through syscalls: completions, streams, budgets (80 % event,
// EQUOTA at 100 %), per-agent accounting, and cancellation when an agent is killed.
import { describe, it, expect } from 'vitest';
import { createOfflineDriver } from '@aios/drivers/llm-offline';
import { createTestHost } from '@aios/testkit';

const agent = (body: string) => `
import { defineAgent } from '@aios/runtime';
import { complete, stream } from '@aios/runtime/cognitive';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'llm-user', async main(ctx) { ${body} } });`;

describe('model device - syscalls', () => {
  it('model - an agent completes and streams through the device in its namespace, in both domains', async () => {
    for (const domain of ['native', 'wasm'] as const) {
      const host = createTestHost({ config: { llm: createOfflineDriver() } });
      const id = await host.spawn({ source: agent(`
        const r = await complete('What is 2 + 3?');
        ctx.log('answer ' + r.text + ' tokens ' + (r.usage.promptTokens + r.usage.completionTokens));
        let chunks = 0, text = '';
        for await (const c of stream('echo: one two three')) { chunks++; text += c.delta; }
        ctx.log('stream ' + chunks + ' ' + text.trim().length);
      `) }, { domain });
      const st = await host.waitExit(id);
      expect(st.code, host.logs(id).join('\n')).toBe(0);
      expect(host.logs(id)[0]).toMatch(/^answer .+ tokens \d+$/);
      expect(host.logs(id)[1]).toMatch(/^stream [1-9]\d* [1-9]/);
      expect(host.ps().find((a) => a.id === id)!.llmTokens).toBeGreaterThan(0);
      host.shutdown();
    }
  });

  it('model - the budget warns at 80 % and refuses with EQUOTA at 100 %, with the numbers', async () => {
    const host = createTestHost({ config: { llm: createOfflineDriver() } });
    const warnings: unknown[] = [];
    host.kernel.subscribeHost('llm.budget.>', (e) => warnings.push(e));
    const id = await host.spawn({ source: agent(`
      for (let i = 0; i < 100; i++) {
        try { await complete('tell me about the weather in a long sentence please ' + i, { maxTokens: 20 }); }
        catch (e) { ctx.log(e.code + ' ' + JSON.stringify(e.detail)); return; }
      }
      ctx.log('never refused');
    `) }, { quotas: { llmTokens: 300 } });
    await host.waitExit(id);
    const line = host.logs(id)[0]!;
    expect(line.startsWith('EQUOTA ')).toBe(true);
    const detail = JSON.parse(line.slice(7)) as { resource: string; limit: number; used: number };
    expect(detail).toMatchObject({ resource: 'llmTokens', limit: 300 });
    expect(detail.used).toBeGreaterThanOrEqual(240);
    expect(warnings.some((e) => (e as { topic: string }).topic === 'llm.budget.warning')).toBe(true);
    host.shutdown();
  });

  it('model - an agent without the device in its namespace cannot reach the model', async () => {
    const host = createTestHost({ config: { llm: createOfflineDriver() } });
    const parent = await host.spawn({ source: agent(`
      const child = "import { defineAgent } from '@aios/runtime';\\nimport { complete } from '@aios/runtime/cognitive';\\nexport default defineAgent({ name: 'c', async main(ctx) { try { await complete('hi'); ctx.log('reached'); } catch (e) { ctx.log(e.code); } } });";
      const h = await (await import('@aios/runtime')).spawn({ source: child }, { name: 'no-model' });
      void h;
    `) }, { capabilities: ['spawn'] });
    await host.waitExit(parent);
    for (let i = 0; i < 100 && !host.ps().some((a) => a.name === 'no-model' && a.state === 'zombie'); i++) await new Promise((r) => setTimeout(r, 10));
    const child = host.ps().find((a) => a.name === 'no-model')!;
    expect(host.logs(child.id)).toEqual(['ENOENT']);
    host.shutdown();
  });

  it('model - killing an agent cancels its queued and in-flight requests', async () => {
    const host = createTestHost({ config: { llm: createOfflineDriver({ slots: 1, msPerToken: 5, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }) } });
    const id = await host.spawn({ source: agent(`
      await Promise.all([complete('a long answer please', { maxTokens: 200 }), complete('another', { maxTokens: 200 })]);
      ctx.log('finished');
    `) });
    for (let i = 0; i < 100 && (host.kernel.model!.stats().inFlight === 0); i++) await new Promise((r) => setTimeout(r, 5));
    expect(host.kernel.model!.stats().inFlight + host.kernel.model!.stats().queued).toBeGreaterThan(0);
    host.kill(id);
    expect(host.kernel.model!.stats().queued).toBe(0);
    expect(host.logs(id)).not.toContain('finished');
    host.shutdown();
  });
});

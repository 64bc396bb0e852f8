// Clone and merge carry an agent's private memory along: memoryd follows the kernel's
// agent.*.clone and agent.*.merge events and copies the private namespaces.
import { describe, it, expect, afterAll } from 'vitest';
import { bootMemNode, type MemNode } from './helpers.ts';

const HOLDER = `
import { defineAgent } from '@aios/runtime';
import { remember, recall } from '@aios/runtime/memory';
import { ipcSend } from '@aios/runtime/kernel';
export default defineAgent({
  name: 'holder',
  async main() { await remember('the launch code is tangerine'); },
  async onMessage(msg, ctx) {
    const hits = await recall('what is the launch code?', { k: 1 });
    ctx.log('recalled: ' + (hits[0] ? hits[0].text : 'nothing'));
    if (msg.handles[0] !== undefined) ipcSend(msg.handles[0], new TextEncoder().encode('done'));
  },
  serialize: () => ({}),
  restore: () => {},
});`;

const COORD = `
import { defineAgent, spawn } from '@aios/runtime';
import * as o from '@aios/runtime/orchestration';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'coord', async main(ctx) {
  const h = await spawn({ source: ${JSON.stringify(HOLDER)} }, { name: 'holder', namespace: { memoryd: k.nsLookup('memoryd') } });
  await k.sleep(300);
  const c = await o.clone(h);
  ctx.log('CLONE ' + k.agentInfo(c).id);
  await k.sleep(800);
  k.ipcSend(c, new TextEncoder().encode('recall'), { handles: [k.capDerive(k.selfHandle(), k.Rights.SEND | k.Rights.TRANSFER)] });
  for (;;) { const m = await k.ipcWait(20000); if (m.tag === 'data') break; }
} });`;

describe('memory - lifecycle', () => {
  let mem: MemNode;
  afterAll(async () => {
    mem?.registry.close();
    await mem?.node.shutdown();
  });

  it('memory - a clone recalls what the original remembered', async () => {
    mem = await bootMemNode();
    const id = await mem.node.spawn({ source: COORD }, { capabilities: ['spawn'] });
    const st = await mem.node.wait(id);
    expect(st.code, mem.node.logs(id).join('\n')).toBe(0);
    const cloneId = Number(mem.node.logs(id).find((l) => l.startsWith('CLONE '))!.slice(6));
    expect(mem.node.logs(cloneId)).toContain('recalled: the launch code is tangerine');
  }, 60_000);
});

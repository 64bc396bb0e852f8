// One inbox per agent: an agent whose onMessage awaits memory calls still handles every message sent to it,
// in arrival order (the memory client's replies are received selectively; the other messages go to onMessage).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { bootMemNode, MEMORY_MODULE, type MemNode } from './helpers.ts';

let m: MemNode;
beforeAll(async () => {
  m = await bootMemNode();
});
afterAll(async () => {
  m?.registry.close();
  await m?.node.shutdown();
});

const source = `import { defineAgent } from '@aios/runtime';
import * as mem from ${JSON.stringify(MEMORY_MODULE)};
export default defineAgent({ name: 'noter', async onMessage(msg, ctx) {
  const text = msg.text();
  await mem.remember('note ' + text);
  ctx.log(text);
} });`;

describe('memory - one inbox per agent', () => {
  it('memory - 100 messages to an agent whose onMessage awaits remember(): all 100 handled, in order', async () => {
    // Warm the embedder so the burst arrives while the first remember() is in flight, not before it.
    await m.node.host.request(m.memoryd, { op: 'put', text: 'warm up' }, 30_000);
    const id = await m.node.spawn(source);
    for (let i = 0; i < 100; i++) m.node.send(id, `m${i}`);
    const want = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (let t = 0; t < 600 && m.node.logs(id).length < 100; t++) await new Promise((r) => setTimeout(r, 50));
    expect(m.node.logs(id)).toEqual(want);
  }, 60_000);
});

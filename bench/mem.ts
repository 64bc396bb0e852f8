// Benchmark: FrameAlloc + PageMap + PageUnmap + HandleClose cycles, and
// AgentPoolAlloc + AgentPoolFree pairs, per second, from a native agent.
// Baselines in the same agent: new ArrayBuffer(4096), and a Map-based free list.
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round } from './lib/stats.ts';

const N = isFull() ? 2_000_000 : 300_000;
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { frameAlloc, pageMap, pageUnmap, handleClose, agentPoolAlloc, agentPoolFree } from '@aios/runtime/kernel';
export default defineAgent({ name: 'bench-mem', main(ctx) {
  const N = ${N}; const V = 0x4000_0000; let sink = 0;
  for (let i = 0; i < 20000; i++) { const f = frameAlloc(1); pageMap(f, V); pageUnmap(V); handleClose(f); }
  let t0 = performance.now();
  for (let i = 0; i < N; i++) { const f = frameAlloc(1); pageMap(f, V); pageUnmap(V); handleClose(f); }
  const frames = N / ((performance.now() - t0) / 1000);
  const live = [];
  t0 = performance.now();
  for (let i = 0; i < N; i++) { live.push(agentPoolAlloc(16 + (i % 64) * 16)); if (live.length > 64) agentPoolFree(live.shift()); }
  const pool = N / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < N; i++) { const b = new ArrayBuffer(4096); sink += b.byteLength; }
  const abuf = N / ((performance.now() - t0) / 1000);
  const m = new Map(); const free = [];
  t0 = performance.now();
  for (let i = 0; i < N; i++) { const a = free.pop() ?? i * 16; m.set(a, 1); if (m.size > 64) { const k = m.keys().next().value; m.delete(k); free.push(k); } }
  const mapFree = N / ((performance.now() - t0) / 1000);
  ctx.log('RESULT ' + JSON.stringify({ frames, pool, abuf, mapFree, sink: sink > 0 }));
} });
`;
const host = createTestHost({ config: { arenaFrames: 1024 } });
const r = (await agentResult(host, AGENT, { name: 'bench-mem', domain: 'native', capabilities: ['frame', 'map'] })) as Record<string, number>;
host.shutdown();
console.log(JSON.stringify({
  bench: 'memory-ops',
  ops: N,
  ours: { frameAllocMapUnmapFreePerSec: Math.round(r.frames!), poolAllocFreePerSec: Math.round(r.pool!) },
  baseline: { arrayBuffer4KiBPerSec: Math.round(r.abuf!), mapFreeListPerSec: Math.round(r.mapFree!) },
  ratio: { frameCycleVsArrayBuffer: round(r.frames! / r.abuf!, 3), poolVsMapFreeList: round(r.pool! / r.mapFree!, 3) },
  note: 'a frame cycle is 4 syscalls (alloc, map, unmap, close), each checked and audited',
}, null, 2));

// Token minting (ML-DSA signing, milliseconds) is work an agent makes the node do outside its
// activations: it is bounded per agent (EAGAIN past TOKEN_MINTS_PENDING_PER_AGENT waiting), runs one
// per loop turn, and its measured time is charged to the exporter's CPU accounting (cpuMs, vruntime).
import { describe, it, expect, afterAll } from 'vitest';
import { limits } from '@aios/abi';
import { TokenRegistry } from '@aios/kernel';
import { hybridKeygen } from '@aios/trust';
import { createTestHost } from '@aios/testkit';

const key = hybridKeygen(new Uint8Array(32).fill(9));
const N = limits.TOKEN_MINTS_PENDING_PER_AGENT;
const MINT_COST_MS = 50;

const EXPORTER = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'exporter', async main(ctx) {
  const ts = [];
  for (let i = 0; i < ${N}; i++) ts.push(k.capExport(ctx.self, { maxUses: 1 }));
  try { k.capExport(ctx.self); ctx.log('no limit'); } catch (e) { ctx.log('over ' + e.code); }
  for (const t of ts) await k.asyncWait(t);
  ctx.log('minted ' + ts.length);
  await k.ipcWait();
} });`;

describe('tokens - the cost of minting', () => {
  const h = createTestHost({ config: { tokens: { key, nodeAudience: 'node:test' }, behavior: false } });
  afterAll(() => h.shutdown());

  it('tokens - pending mints are bounded per agent, and each mint\'s time is charged to the exporter', async () => {
    // Each mint "takes" MINT_COST_MS of the kernel's monotonic clock, so the charge is exact.
    const clock = h.kernel.ports.clock;
    const realMono = clock.monotonic.bind(clock);
    let skew = 0;
    clock.monotonic = () => realMono() + skew;
    const reg = h.kernel.tokens!;
    const mint = reg.mint.bind(reg);
    let mints = 0;
    reg.mint = (...args: Parameters<typeof mint>) => {
      mints++;
      skew += MINT_COST_MS;
      return mint(...args);
    };
    try {
      const id = await h.spawn({ source: EXPORTER }, { name: 'exporter', domain: 'native' });
      for (let i = 0; i < 500 && !h.logs(id).some((l) => l.startsWith('minted')); i++) await new Promise((r) => setTimeout(r, 10));
      expect(h.logs(id)).toEqual(['over EAGAIN', `minted ${N}`]);
      expect(mints).toBe(N);
      const a = h.kernel.agents.get(id)!;
      expect(a.cpuMs).toBeGreaterThanOrEqual(N * MINT_COST_MS);
      expect(a.vruntime).toBeGreaterThanOrEqual(N * MINT_COST_MS); // nice 0: 1 ms of CPU is 1 ms of vruntime
    } finally {
      clock.monotonic = realMono;
      reg.mint = mint;
    }
  });

  it('tokens - the node forgets expired and revoked tokens before refusing an export with EQUOTA', () => {
    const reg = new TokenRegistry({ key, nodeAudience: 'node:test' }, { perAgent: 3, node: 5 });
    const parent = h.kernel.root.selfNode;
    const mint = (owner: number, exp: number, i: number) => reg.mint(parent, 0, exp, 'node:test', 1, new Uint8Array(16).fill(i), owner);
    mint(7, 100, 1);
    mint(7, 1_000, 2);
    mint(7, 1_000, 3);
    expect(() => reg.checkRoom(7, 50)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: { resource: 'tokens', limit: 3, used: 3 } }));
    expect(() => reg.checkRoom(8, 50)).not.toThrow(); // another agent has its own bound
    expect(() => reg.checkRoom(7, 100)).not.toThrow(); // the first has expired: forgotten
    mint(7, 1_000, 4);
    mint(8, 1_000, 5);
    mint(8, 1_000, 6);
    expect(() => reg.checkRoom(9, 50)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: { resource: 'tokens', limit: 5, used: 5 } }));
  });
});

// Benchmark: where a 1 KiB message's time goes at the wasm boundary (issue 20), per stage, in one run.
// One sandboxed agent (the real runtime bundle) runs each loop N times inside one activation; a stub gate answers
// (no kernel work): IPCSend returns nothing, IPCRecv a fresh 1 KiB message as the mailbox makes it. Each figure
// is the loop's time per iteration minus the empty loop's, best of 5 rounds (interleaved), in microseconds.
// The kernel's own share per message is in the cpu profile of bench/boundary.ts (see docs/reports/wasm-boundary.md).
// Run: npx tsx --conditions=aios-source bench/ipc-parts.ts
import * as esbuild from 'esbuild';
import { NR } from '@aios/abi';
import { createWasmDomain } from '../packages/kernel/src/domain/wasm/index.ts';
import type { Gate, InstanceLimits } from '../packages/kernel/src/domain/types.ts';
import { configuration } from './lib/config.ts';
import { round } from './lib/stats.ts';

const N = 100_000;
const BATCH = 64;
const LIMITS: InstanceLimits = { memoryBytes: 64 * 1024 * 1024, stackBytes: 256 * 1024, sliceMs: 60_000 };

/** Loop bodies by stage; `h` is a handle, `p` a 1 KiB Uint8Array, `f` an interpreted function, `s` a sink. */
const STAGES: Record<string, string> = {
  empty: 's += i;',
  jsCall: 's += f(h, p);',
  jsArray: 's += [h, p, undefined].length;',
  jsMessage: "s += ({ from: 2, data: new Uint8Array(B, (i & 63) * 1024, 1024), handles: E, tag: 'data' }).data.length;",
  jsView: 's += new Uint8Array(B, (i & 63) * 1024, 1024).length;',
  selfHandle: 's += K.selfHandle();',
  trapSend: '__aios_trap(4, [h, p]);',
  trapSendNum: '__aios_trap(4, [h, 1]);',
  trapSendSmall: '__aios_trap(4, [h, p8]);',
  stubSend: 'K.ipcSend(h, p);',
  trapRecv: 's += __aios_trap(5, []).data.length;',
  stubRecv: 's += K.ipcRecv().data.length;',
  ...('ipcSendMany' in (await import('../packages/runtime/src/kernel/stubs.gen.ts'))
    ? {
        stubSendMany: `if (i % ${BATCH} === 0) K.ipcSendMany(h, q);`,
        stubRecvMany: `if (i % ${BATCH} === 0) { const l = K.ipcRecvMany(${BATCH}); for (let j = 0; j < l.length; j++) s += l[j].data.length; }`,
      }
    : {}),
};

const SOURCE = `
import { defineAgent } from '@aios/runtime';
import * as K from '@aios/runtime/kernel';
const B = new ArrayBuffer(65536), E = Object.freeze([]), h = 3, p8 = new Uint8Array(8), p = new Uint8Array(1024).fill(7), q = []; for (let i = 0; i < ${BATCH}; i++) q.push(p);
function f(a, b) { return a; }
const LOOPS = {
${Object.entries(STAGES).map(([k, body]) => `  ${k}(n) { let s = 0; for (let i = 0; i < n; i++) { ${body} } return s; },`).join('\n')}
};
export default defineAgent({ name: 'parts', onMessage(msg) { const [k, n] = msg.text().split(' '); LOOPS[k](Number(n)); } });`;

async function image(): Promise<string> {
  const r = await esbuild.build({
    stdin: { contents: `import * as m from './agent.ts'; import { createEntry } from '@aios/runtime/entry'; export const entry = createEntry(m);`, resolveDir: process.cwd(), loader: 'ts' },
    plugins: [{ name: 'agent', setup(b) { b.onResolve({ filter: /^\.\/agent\.ts$/ }, () => ({ path: 'agent', namespace: 'agent' })); b.onLoad({ filter: /.*/, namespace: 'agent' }, () => ({ contents: SOURCE, loader: 'ts', resolveDir: process.cwd() })); } }],
    bundle: true, format: 'iife', globalName: '__aios_agent', platform: 'neutral', conditions: ['aios-source'],
    mainFields: ['module', 'main'], write: false, target: 'es2020',
  });
  return r.outputFiles[0]!.text;
}

const slab = new ArrayBuffer(1 << 20);
let off = 0;
/** A message as the mailbox hands it out: a fresh view of a shared slab. */
function message(): { from: number; data: Uint8Array; handles: number[]; tag: string } {
  if (off + 1024 > slab.byteLength) off = 0;
  const data = new Uint8Array(slab, off, 1024);
  off += 1024;
  return { from: 2, data, handles: [], tag: 'data' };
}
const gate: Gate = (nr, args) => {
  if (nr === NR.SelfHandle) return 1;
  if (nr === NR.SelfInfo) return { id: 1, name: 'parts', parent: null, domain: 'wasm', config: null };
  if (nr === NR.IPCRecv) return message();
  if ((NR as Record<string, number>).IPCRecvMany === nr) {
    const out = [];
    for (let i = 0; i < (args[0] as number); i++) out.push(message());
    return out;
  }
  if ((NR as Record<string, number>).IPCSendMany === nr) return (args[1] as unknown[]).length;
  return undefined;
};

const code = await image();
const domain = createWasmDomain({ now: () => performance.now(), wallClock: () => Date.now(), random: (k) => new Uint8Array(k) });
const inst = domain.instantiate(code, gate, LIMITS);
await inst.dispatch('main');
const best: Record<string, number> = {};
for (let round_ = 0; round_ < 5; round_++) {
  for (const k of Object.keys(STAGES).filter((k) => !process.env.ONLY || k === 'empty' || process.env.ONLY.split(',').includes(k))) {
    const t0 = performance.now();
    await inst.dispatch('message', { from: 1, data: new TextEncoder().encode(`${k} ${N}`), handles: [], tag: 'data' });
    const us = ((performance.now() - t0) * 1000) / N;
    best[k] = Math.min(best[k] ?? Infinity, us);
  }
}
inst.dispose();
const perIteration = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round(k === 'empty' ? v : v - best.empty!, 3)]));
process.stdout.write(JSON.stringify({ bench: 'ipc-parts', configuration: configuration({ iterations: N, batch: BATCH, note: 'us per iteration (per message) minus the empty loop; best of 5; stub gate' }), perIteration }, null, 2) + '\n');

// SelfHandle syscalls from an agent of a domain through a real kernel (ports, audit, behaviour monitor as
// createTestHost sets them), shared by bench/wasm-domain.ts and bench/boundary.ts. The calls run in batches with a
// yield between (a sandboxed turn must end within its CPU slice); only the batches are timed, with the kernel's
// clock (millisecond resolution in the sandbox), after `warm` untimed calls.
import { createTestHost } from '@aios/testkit';
import { agentResult, round } from './stats.ts';

export async function kernelRoundTrip(domain: 'wasm' | 'native', calls: number, batch: number, warm: number): Promise<{ calls: number; meanUs: number }> {
  const AGENT = `
import { defineAgent } from '@aios/runtime';
import { selfHandle, clockNow, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'rt', async main(ctx) {
  const N = ${calls}; let done = 0, ms = 0, sink = 0;
  for (let i = 0; i < ${warm}; i++) sink += selfHandle();
  while (done < N) {
    const k = Math.min(${batch}, N - done); const t0 = clockNow();
    for (let i = 0; i < k; i++) sink += selfHandle();
    ms += clockNow() - t0; done += k;
    await schedYield();
  }
  ctx.log('RESULT ' + JSON.stringify({ calls: done, ms, sink: sink > 0 }));
} });`;
  const host = createTestHost();
  try {
    const r = (await agentResult(host, AGENT, { name: 'rt', domain })) as { calls: number; ms: number };
    return { calls: r.calls, meanUs: round((r.ms * 1000) / r.calls, 3) };
  } finally {
    host.shutdown();
  }
}

// Sandboxed agents on two executors (worker threads), against a real kernel: placement and ps, IPC
// between agents on different executors and on the same one, blocking calls, traps, a CPU-bound agent
// preempted by its own interrupt while its neighbour keeps serving, and an executor killed under its
// agents: they trap with 'fault', the supervisor restarts them, and the node runs on.
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost, untilTruthy } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import { child, spec, startSupervisor } from '../supervision/helpers.ts';

let host: KernelHost;
afterEach(() => host?.shutdown());

/** Answers each message on the handle it carries: 'echo ' + its text. */
const ECHO = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, handleClose } from '@aios/runtime/kernel';
export default defineAgent({ name: 'echo', onMessage(m) {
  const h = m.handles[0];
  if (h === undefined) return;
  ipcSend(h, new TextEncoder().encode('echo ' + m.text()));
  handleClose(h);
} });
`;

/** Sends `n` requests to the agent named in its namespace as 'peer' and logs when all replies came. */
const PINGER = (n: number) => `
import { defineAgent } from '@aios/runtime';
import { ipcSend, ipcWait, nsLookup, selfHandle, capDerive, handleClose, Rights } from '@aios/runtime/kernel';
export default defineAgent({ name: 'pinger', async main(ctx) {
  const peer = nsLookup('peer');
  let ok = 0;
  for (let i = 0; i < ${n}; i++) {
    const me = capDerive(selfHandle(), Rights.SEND | Rights.TRANSFER);
    ipcSend(peer, new TextEncoder().encode('ping ' + i), { handles: [me], handleRights: [Rights.SEND] });
    const r = await ipcWait(20000);
    if (new TextDecoder().decode(r.data) === 'echo ping ' + i) ok++;
  }
  ctx.log('replies ' + ok);
} });
`;

const BUSY = `
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'busy', main(ctx) { ctx.log('spinning'); for (;;) {} } });
`;

async function logged(id: number, line: string): Promise<void> {
  await untilTruthy(() => host.logs(id).includes(line), `agent ${id} logs ${line}`, { tries: 2000, everyMs: 10 });
}

describe('executors', () => {
  it('executors - sandboxes are placed on both executors; ps shows each agent\'s executor and CPU', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const ids = await Promise.all([0, 1, 2, 3].map(() => host.spawn({ source: ECHO }, { domain: 'wasm' })));
    const rows = host.ps().filter((a) => ids.includes(a.id));
    expect(new Set(rows.map((r) => r.executor))).toEqual(new Set([0, 1]));
    const native = await host.spawn({ source: ECHO }, { domain: 'native' });
    expect(host.ps().find((a) => a.id === native)!.executor).toBeUndefined();
    host.send(ids[0]!, 'x');
    await untilTruthy(() => host.ps().find((a) => a.id === ids[0])!.cpuMs > 0, 'cpu charged');
  });

  it('executors - IPC between agents on different executors and on the same one, with blocking waits', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const far = await host.spawn({ source: ECHO }, { domain: 'wasm', affinity: 1 });
    const near = await host.spawn({ source: ECHO }, { domain: 'wasm', affinity: 0 });
    const a = await host.spawn({ source: PINGER(200) }, { domain: 'wasm', affinity: 0, services: { peer: far } });
    const b = await host.spawn({ source: PINGER(200) }, { domain: 'wasm', affinity: 0, services: { peer: near } });
    const execOf = (id: number) => host.ps().find((x) => x.id === id)!.executor;
    expect([execOf(far), execOf(near), execOf(a), execOf(b)]).toEqual([1, 0, 0, 0]);
    await logged(a, 'replies 200');
    await logged(b, 'replies 200');
  });

  it('executors - a throw traps its agent only; sleep and lifecycle hooks work from an executor', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const bad = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import { sleep } from '@aios/runtime/kernel';
export default defineAgent({ name: 'bad', async main() { await sleep(5); throw new Error('on purpose'); } });` }, { domain: 'wasm' });
    const st = await host.waitExit(bad);
    expect(st.reason).toContain('trap: exception');
    expect(st.reason).toContain('on purpose');
    const keeper = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
let n = 0;
export default defineAgent({ name: 'keeper', onMessage(m, ctx) { n++; ctx.log('n ' + n); }, serialize() { return { n }; }, restore(s) { n = s.n; } });` }, { domain: 'wasm' });
    host.send(keeper, 'a');
    host.send(keeper, 'b');
    await logged(keeper, 'n 2');
    const clone = await host.kernel.runHook(host.kernel.agents.get(keeper)!, 'serialize', {});
    expect(clone).toEqual({ n: 2 });
  });

  it('executors - a CPU-bound agent is stopped by its own interrupt while the other executor keeps serving', async () => {
    host = createTestHost({ config: { executors: 2, sliceMs: 300 } });
    const echo = await host.spawn({ source: ECHO }, { domain: 'wasm', affinity: 1 });
    const busy = await host.spawn({ source: BUSY }, { domain: 'wasm', affinity: 0 });
    const pinger = await host.spawn({ source: PINGER(20) }, { domain: 'wasm', affinity: 1, services: { peer: echo } });
    await logged(pinger, 'replies 20');
    const st = await host.waitExit(busy);
    expect(st.reason).toContain('trap: cpu');
    // the executor that ran it takes new work
    const after = await host.spawn({ source: PINGER(5) }, { domain: 'wasm', affinity: 0, services: { peer: echo } });
    await logged(after, 'replies 5');
  });

  it('executors - a killed executor traps its agents with fault, the supervisor restarts them, the node runs on', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const sup = await startSupervisor(host, { strategy: 'one_for_one', intensity: 5 }, [spec('w', {}, { domain: 'wasm', affinity: 1 })]);
    const first = child(host, sup, 'w')!;
    await logged(first.id, 'started');
    expect(host.ps().find((a) => a.id === first.id)!.executor).toBe(1);
    const bystander = await host.spawn({ source: ECHO }, { domain: 'wasm', affinity: 0 });
    host.kernel.exec!.kill(1);
    const st = await host.waitExit(first.id);
    expect(st.reason).toContain('trap: fault');
    const again = await untilTruthy(() => { const c = child(host, sup, 'w'); return c && c.id !== first.id ? c : undefined; }, 'w restarted', { tries: 2000, everyMs: 10 });
    expect(again.domain).toBe('wasm');
    await logged(again.id, 'started');
    const pinger = await host.spawn({ source: PINGER(5) }, { domain: 'wasm', affinity: 1, services: { peer: bystander } });
    await logged(pinger, 'replies 5');
    expect(host.kernel.exec!.faults).toBe(1);
  });
});

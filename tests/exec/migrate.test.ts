// Moving sandboxed agents between executors, against a real kernel with two executors: an agent with
// serialize/restore hooks moves with its state and its mailbox order (messages sent during the move wait and
// come in order); one without hooks never moves (the API refuses, the balancer leaves it); the balancer moves
// a movable agent off an overloaded executor; weights 1:2:4 end with the 4 alone on an executor.
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost, untilTruthy } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';

let host: KernelHost;
afterEach(() => host?.shutdown());

/** Keeps every text it received, in order; logs the list after each. */
const KEEPER = `
import { defineAgent } from '@aios/runtime';
let seen = [];
export default defineAgent({ name: 'keeper',
  onMessage(m, ctx) { seen.push(m.text()); ctx.log('seen ' + seen.join(',')); },
  serialize() { return { seen }; },
  restore(s) { seen = s.seen; } });
`;

/**
 * 'go': works a slice per message and sends itself the next, until 'stop'. With hooks its round count and
 * flag survive a move. Logs 'stopped N'.
 */
const SPINNER = (hooks: boolean) => `
import { defineAgent } from '@aios/runtime';
import { ipcSend, selfHandle } from '@aios/runtime/kernel';
let n = 0;
let stop = false;
let x = 0;
export default defineAgent({ name: 'spinner',
  onMessage(m, ctx) {
    const t = m.text();
    if (t === 'stop') { stop = true; ctx.log('stopped ' + n); return; }
    if (stop) return;
    n++;
    for (let i = 0; i < 20000; i++) x = (x * 31 + i) | 0;
    ipcSend(selfHandle(), new TextEncoder().encode('more'));
  },
  ${hooks ? 'serialize() { return { n, stop }; }, restore(s) { n = s.n; stop = s.stop; },' : ''}
});
`;

const row = (id: number) => host.ps().find((a) => a.id === id)!;

async function logged(id: number, line: string): Promise<void> {
  await untilTruthy(() => host.logs(id).includes(line), `agent ${id} logs ${line}`, { tries: 3000, everyMs: 10 });
}

describe('executors - migration', () => {
  it('executors - an agent with hooks moves between executors with its state and its mailbox order', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const k = await host.spawn({ source: KEEPER }, { domain: 'wasm', affinity: 0 });
    expect(row(k).executor).toBe(0);
    host.send(k, 'a');
    host.send(k, 'b');
    await logged(k, 'seen a,b');
    const moved = host.kernel.migrateToExecutor(k, 1);
    // sent while it moves: they wait in the kernel mailbox and come in order on the new executor
    for (const t of ['c', 'd', 'e']) host.send(k, t);
    await moved;
    expect(row(k).executor).toBe(1);
    expect(row(k).migrations).toBe(1);
    await logged(k, 'seen a,b,c,d,e');
    // and back, with more mail queued behind it
    const back = host.kernel.migrateToExecutor(k, 0);
    host.send(k, 'f');
    await back;
    host.send(k, 'g');
    await logged(k, 'seen a,b,c,d,e,f,g');
    // the handler's activation ends on its worker a moment after it logged: wait for it to be back in its mailbox
    await untilTruthy(() => row(k).state === 'waiting', 'keeper waits for mail', { tries: 1000, everyMs: 10 });
    expect(row(k)).toMatchObject({ executor: 0, migrations: 2, state: 'waiting' });
    // bad input loses nothing
    await expect(host.kernel.migrateToExecutor(k, 2)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.kernel.migrateToExecutor(k, -1)).rejects.toMatchObject({ code: 'EINVAL' });
    host.send(k, 'h');
    await logged(k, 'seen a,b,c,d,e,f,g,h');
  });

  it('executors - an agent without hooks is never moved: the API refuses it and the balancer leaves it', async () => {
    host = createTestHost({ config: { executors: 2 } });
    // 1 on executor 0, 1 on executor 1, then the 4 joins the lighter (executor 0): 1+4 against 1
    const light = await host.spawn({ source: SPINNER(false) }, { domain: 'wasm', name: 'light' });
    const other = await host.spawn({ source: SPINNER(false) }, { domain: 'wasm', name: 'other' });
    const heavy = await host.spawn({ source: SPINNER(false) }, { domain: 'wasm', name: 'heavy', nice: -6 });
    const placed = [light, other, heavy].map((id) => row(id).executor);
    expect(placed[0]).toBe(placed[2]);
    expect(placed[1]).not.toBe(placed[0]);
    await expect(host.kernel.migrateToExecutor(light, placed[1]!)).rejects.toMatchObject({ code: 'ENOSYS' });
    for (const id of [light, other, heavy]) host.send(id, 'go');
    // long enough for many balancer periods (the same set-up with hooks moves: the next tests)
    await untilTruthy(() => [light, other, heavy].every((id) => row(id).activations > 60), 'spinners ran', { tries: 6000, everyMs: 10 });
    for (const id of [light, other, heavy]) host.send(id, 'stop');
    for (const id of [light, other, heavy]) await untilTruthy(() => host.logs(id).some((l) => l.startsWith('stopped ')), `${id} stopped`, { tries: 3000, everyMs: 10 });
    expect([light, other, heavy].map((id) => row(id).executor)).toEqual(placed);
    expect([light, other, heavy].map((id) => row(id).migrations)).toEqual([undefined, undefined, undefined]);
    expect(host.kernel.exec!.balancer.moves).toBe(0);
  });

  it('executors - the balancer moves a movable agent off an overloaded executor, keeping its state', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const a = await host.spawn({ source: SPINNER(true) }, { domain: 'wasm', name: 'a' });
    const b = await host.spawn({ source: SPINNER(true) }, { domain: 'wasm', name: 'b' });
    expect(row(a).executor).not.toBe(row(b).executor);
    // both on a's executor (idle agents: the balancer counts runnable weight only, so it leaves them)
    await host.kernel.migrateToExecutor(b, row(a).executor!);
    expect(row(b).executor).toBe(row(a).executor);
    host.send(a, 'go');
    host.send(b, 'go');
    await untilTruthy(() => row(a).executor !== row(b).executor, 'one of them moved to the idle executor', { tries: 6000, everyMs: 10 });
    expect(host.kernel.exec!.balancer.moves).toBeGreaterThanOrEqual(1);
    for (const id of [a, b]) host.send(id, 'stop');
    for (const id of [a, b]) await untilTruthy(() => host.logs(id).some((l) => l.startsWith('stopped ')), `${id} stopped`, { tries: 3000, everyMs: 10 });
    // the round count carried across the moves: each agent counted every activation it spent spinning
    for (const id of [a, b]) {
      const n = Number(host.logs(id).find((l) => l.startsWith('stopped '))!.slice(8));
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(row(id).activations);
    }
  });

  it('executors - weights 1:2:4 on two executors end with the 4 alone', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const w1 = await host.spawn({ source: SPINNER(true) }, { domain: 'wasm', name: 'w1', nice: 0 });
    const w2 = await host.spawn({ source: SPINNER(true) }, { domain: 'wasm', name: 'w2', nice: -3 });
    const w4 = await host.spawn({ source: SPINNER(true) }, { domain: 'wasm', name: 'w4', nice: -6 });
    for (const id of [w1, w2, w4]) host.send(id, 'go');
    await untilTruthy(() => {
      const [e1, e2, e4] = [w1, w2, w4].map((id) => row(id).executor);
      return e4 !== e1 && e4 !== e2;
    }, 'the weight-4 agent alone on its executor', { tries: 6000, everyMs: 10 });
    for (const id of [w1, w2, w4]) host.send(id, 'stop');
    for (const id of [w1, w2, w4]) await untilTruthy(() => host.logs(id).some((l) => l.startsWith('stopped ')), `${id} stopped`, { tries: 3000, everyMs: 10 });
  });
});

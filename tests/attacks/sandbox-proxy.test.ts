// A proxy cannot hold the CPU past the interrupt. QuickJS checks the result of a proxy's ownKeys trap for
// duplicates in quadratic time, in C, where its interrupt handler is never polled: 200,000 keys ran ~15 s (found
// by the hostile-agent fuzz), stalling the kernel thread inline or getting a whole executor killed by its
// watchdog. The sandbox's Proxy bounds an ownKeys result (10,000 keys, RangeError past it); proxies otherwise
// behave as before (traps looked up at each use, revocable, callable targets).
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';

let host: KernelHost;
afterEach(() => host?.shutdown());

const AGENT = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, selfHandle } from '@aios/runtime/kernel';
export default defineAgent({ name: 'proxies', main(ctx) {
  // as a syscall argument: the caller's bad argument, EINVAL
  let arg;
  try { ipcSend(selfHandle(), new Uint8Array(1), new Proxy(new Uint8Array(200000), { ownKeys(t) { return Reflect.ownKeys(t); } })); arg = 'ok'; } catch (e) { arg = e.code; }
  let big;
  try { big = Object.keys(new Proxy(new Uint8Array(200000), { ownKeys(t) { return Reflect.ownKeys(t); } })).length; } catch (e) { big = e.name; }
  // a length that changes between reads cannot slip a longer list past the check
  let shifting = 0;
  const liar = { get length() { return ++shifting === 1 ? 2 : 500000; }, 0: 'a', 1: 'b' };
  let lied;
  try { lied = Object.keys(new Proxy({ a: 1, b: 2 }, { ownKeys() { return liar; } })); } catch (e) { lied = e.name; }
  const small = Object.keys(new Proxy({ a: 1, b: 2 }, { ownKeys(t) { return Reflect.ownKeys(t); } }));
  const got = new Proxy({ a: 1 }, { get(t, k) { return k === 'x' ? 42 : t[k]; } });
  const h = {};
  const late = new Proxy({}, h);
  h.get = () => 'late';
  const { proxy, revoke } = Proxy.revocable({ q: 1 }, {});
  const before = proxy.q;
  revoke();
  let after;
  try { after = proxy.q; } catch (e) { after = e.name; }
  const fn = new Proxy(function (a) { return a + 1; }, { apply(t, th, args) { return t(...args) * 10; } });
  let noNew;
  try { Proxy({}, {}); } catch (e) { noNew = e.name; }
  ctx.log(JSON.stringify({ arg, big, lied, small, x: got.x, a: got.a, late: late.anything, before, after, fn: fn(1), noNew }));
} });`;

describe('attacks - proxies in the sandbox', () => {
  for (const executors of [0, 1]) {
    it(`attacks - an ownKeys trap with 200,000 keys is refused at once, and proxies still work (executors: ${executors})`, async () => {
      host = createTestHost({ config: { executors, sliceMs: 1000 } });
      const id = await host.spawn({ source: AGENT }, { name: 'proxies', domain: 'wasm' });
      const st = await host.waitExit(id);
      expect(st.code, host.logs(id).join('\n')).toBe(0);
      expect(JSON.parse(host.logs(id).find((l) => l.startsWith('{'))!)).toEqual({
        arg: 'EINVAL', big: 'RangeError', lied: ['a', 'b'], small: ['a', 'b'], x: 42, a: 1, late: 'late', before: 1, after: 'TypeError', fn: 20, noNew: 'TypeError',
      });
      expect(host.kernel.exec?.faults ?? 0).toBe(0);
    });
  }
});

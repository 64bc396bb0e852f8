// The vectored IPC calls (IPCSendMany, IPCRecvMany) under hostile use, in both domains: oversized batches are refused
// whole (nothing queued), malformed lists (wrong element types, lists that change while the prelude reads them,
// proxies, holes) end in a taxonomy error or a consistent send, never in a host fault; the sandbox's per-signature
// entry (__aios_trap.hb) checks what it is given like trap() does. Each agent logs what it saw; the receiver's
// mailbox shows what was queued.
import { describe, it, expect, afterAll } from 'vitest';
import { limits } from '@aios/abi';
import { createTestHost, runAgent } from '@aios/testkit';

const src = (body: string) => `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
const out = (f) => { try { const r = f(); return 'ok ' + (typeof r === 'number' ? r : typeof r); } catch (e) { return e && e.code ? e.code : 'throw ' + (e && e.message); } };
export default defineAgent({ name: 'b', async main(ctx) { const self = k.selfHandle(); ${body} } });
`;

describe.each(['wasm', 'native'] as const)('attacks - vectored IPC (%s)', (domain) => {
  const host = createTestHost({ config: { behavior: false } });
  afterAll(() => host.shutdown());

  it(`attacks - oversized batches are refused whole: nothing is queued (${domain})`, async () => {
    const r = await runAgent(host, src(`
      // (each case in its own turn: a sandboxed turn must end within its CPU slice, on a busy machine too)
      ctx.log(out(() => k.ipcSendMany(self, Array.from({ length: ${limits.IPC_BATCH_MAX_MESSAGES + 1} }, () => new Uint8Array(1))))); await k.schedYield();
      const many = Array.from({ length: 20_000 }, () => new Uint8Array(0)); await k.schedYield();
      ctx.log(out(() => k.ipcSendMany(self, many))); await k.schedYield();
      ctx.log(out(() => k.ipcSendMany(self, Array.from({ length: 17 }, () => new Uint8Array(65_536))))); await k.schedYield();
      ctx.log(out(() => k.ipcSendMany(self, [new Uint8Array(5), new Uint8Array(65_537)]))); await k.schedYield();
      ctx.log(out(() => k.ipcSendMany(self, [new Uint8Array(17 * 2 ** 20)]))); await k.schedYield();
      ctx.log(out(() => k.ipcRecv()));
    `), { name: 'big', domain, quotas: { memBytes: 256 * 2 ** 20 } });
    expect(r.code, r.reason).toBe(0);
    expect(r.logs).toEqual(['EMSGSIZE', 'EMSGSIZE', 'EMSGSIZE', 'EMSGSIZE', 'EMSGSIZE', 'EAGAIN']);
  });

  it(`attacks - malformed lists end in EINVAL or a consistent send, and the agent carries on (${domain})`, async () => {
    const r = await runAgent(host, src(`
      const u = (n, v) => new Uint8Array(n).fill(v);
      ctx.log(out(() => k.ipcSendMany(self, [u(1, 1), new Int8Array(2)])));
      ctx.log(out(() => k.ipcSendMany(self, [u(1, 1), new DataView(new ArrayBuffer(2))])));
      ctx.log(out(() => k.ipcSendMany(self, [u(1, 1), 'text', 3, null])));
      ctx.log(out(() => k.ipcSendMany(self, [u(1, 1), , u(1, 2)])));
      ctx.log(out(() => k.ipcSendMany(self, { length: 2, 0: u(1, 1), 1: u(1, 2) })));
      ctx.log(out(() => k.ipcSendMany(self, 'not a list')));
      ctx.log(out(() => k.ipcSendMany(self)));
      // a list whose elements change each time they are read: what is sent is one consistent reading
      let reads = 0;
      const shifty = [u(1, 1), u(1, 2)];
      Object.defineProperty(shifty, 1, { get: () => (++reads % 2 ? u(3, 9) : 'gotcha') });
      ctx.log(out(() => k.ipcSendMany(self, shifty)));
      // a proxy whose length grows while it is read
      let len = 2;
      const grow = new Proxy([u(1, 1), u(1, 2)], { get: (t, p) => (p === 'length' ? len++ : p in t ? t[p] : u(1, 7)) });
      ctx.log(out(() => k.ipcSendMany(self, grow)));
      // a getter that throws
      const bad = [u(1, 1)];
      Object.defineProperty(bad, 1, { get: () => { throw new Error('boom'); } });
      ctx.log(out(() => k.ipcSendMany(self, bad)));
      // what was queued: every message a Uint8Array of the bytes it had when it was read
      const got = [];
      for (;;) { let l; try { l = k.ipcRecvMany(); } catch { break; } for (const m of l) got.push(Array.from(m.data).join('.')); }
      ctx.log('queued ' + got.join(' '));
      ctx.log(out(() => k.ipcRecvMany(-1)));
      ctx.log(out(() => k.ipcRecvMany(1.5)));
      ctx.log(out(() => k.ipcRecvMany('2')));
    `), { name: 'shapes', domain });
    expect(r.code, r.reason).toBe(0);
    const [int8, view, mixed, hole, arrayLike, notList, absent, shifty, grow, thrower, queued, ...recv] = r.logs;
    expect([int8, view, mixed, hole, arrayLike, notList, absent]).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
    // one consistent reading: both elements bytes (2 sent), or the second read as a string (EINVAL)
    expect(['ok 2', 'EINVAL']).toContain(shifty);
    expect(grow).toMatch(/^(ok \d+|EINVAL)$/);
    expect(thrower).toBe('throw boom');
    const sent = queued!.slice('queued '.length).split(' ').filter((x) => x !== '');
    for (const m of sent) expect(['1', '2', '7', '9.9.9']).toContain(m);
    expect(recv).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
  });

  it(`attacks - a getter that sends a batch while another batch is packed does not mix the two (${domain})`, async () => {
    const r = await runAgent(host, src(`
      const u = (n, v) => new Uint8Array(n).fill(v);
      const take = () => k.ipcRecvMany().map((m) => Array.from(m.data).join('.')).join(' ');
      k.ipcSendMany(self, [u(1, 3), u(1, 4)]); ctx.log(take()); // (a batch of this size first: its buffer is reused next)
      const outer = [u(1, 1), u(1, 2)];
      Object.defineProperty(outer, 1, { get: () => { k.ipcSendMany(self, [u(1, 5), u(1, 6)]); return u(1, 2); } });
      ctx.log(out(() => k.ipcSendMany(self, outer)));
      ctx.log(take());
    `), { name: 'nested', domain });
    expect(r.code, r.reason).toBe(0);
    expect(r.logs).toEqual(['3 4', 'ok 2', '5 6 1 2']);
  });

  it(`attacks - the per-signature entry checks its arguments like trap() (${domain})`, async () => {
    const r = await runAgent(host, src(`
      const hb = globalThis.__aios_trap && globalThis.__aios_trap.hb;
      if (typeof hb !== 'function') { ctx.log('no hb'); return; }
      ctx.log(out(() => hb('4', self, new Uint8Array(1))));
      ctx.log(out(() => hb(4, { valueOf: () => self }, new Uint8Array(1))));
      ctx.log(out(() => hb(4, self, { length: 1, 0: 1 })));
      ctx.log(out(() => hb(4, self, new Uint8Array(65_537))));
      ctx.log(out(() => hb(4, self, new Uint16Array(2))));
      ctx.log(out(() => hb(4, 987654, new Uint8Array(1))));
      ctx.log(out(() => hb(4, self, new Uint8Array(new ArrayBuffer(8), 2, 3).fill(5))));
      ctx.log(Array.from(k.ipcRecv().data).join('.'));
      ctx.log(out(() => hb(99999, self, new Uint8Array(1))));
    `), { name: 'hb', domain });
    expect(r.code, r.reason).toBe(0);
    if (domain === 'native') return expect(r.logs).toEqual(['no hb']);
    expect(r.logs).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EMSGSIZE', 'EINVAL', 'EBADF', 'ok undefined', '5.5.5', 'ENOSYS']);
  });
});

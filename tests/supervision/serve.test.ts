// serve() (packages/runtime/src/orchestration/serve.ts): one request loop with per-sender fairness. A flooder's burst is bounded by its own queue (EAGAIN past
// it) and served round-robin with other senders; malformed requests are answered EINVAL (or dropped without a
// reply handle); handler errors reach the caller of call() as AiosErrors with their cause.
import { describe, it, expect } from 'vitest';
import { createTestHost, untilTruthy } from '@aios/testkit';

const SERVER = `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
import { waitFor } from '@aios/runtime/ipc';
import { AiosError } from '@aios/abi';
import { serve } from '@aios/runtime/orchestration';
export default defineAgent({ name: 'srv', async main(ctx) {
  await waitFor((m) => m.tag === 'go');
  await serve({ concurrency: 1, queuePerSender: 5, ops: {
    async work(req) { ctx.log(req.who + req.n); await k.sleep(20); return req.n; },
    fail() { throw new AiosError('EBUSY', 'outer', { x: 1 }, { cause: new AiosError('ENOENT', 'inner', { y: 2 }) }); },
  } });
} });`;

const client = (name: string, body: string) => `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
import { call } from '@aios/runtime/ipc';
export default defineAgent({ name: '${name}', async main(ctx) { const srv = k.nsLookup('srv'); ${body} } });`;

const until = (f: () => boolean): Promise<true> => untilTruthy(() => f() || undefined, 'the condition', { tries: 500, everyMs: 10 });

describe('serve - fairness and the envelope', () => {
  it('serve - a burst from one sender is bounded (EAGAIN) and does not queue another sender behind it', async () => {
    const host = createTestHost({ config: { behavior: false } });
    const srv = await host.spawn({ source: SERVER }, { domain: 'native', name: 'srv' });
    const ns = { namespace: { srv: { handle: host.handleFor(srv), rights: 8 } } };
    const flooder = await host.spawn({ source: client('flooder', `
      const all = []; for (let n = 0; n < 20; n++) all.push(call(srv, { op: 'work', who: 'f', n }).then(() => 'ok', (e) => e.code));
      ctx.log('sent'); const codes = await Promise.all(all);
      ctx.log(JSON.stringify({ ok: codes.filter((c) => c === 'ok').length, EAGAIN: codes.filter((c) => c === 'EAGAIN').length }));`) }, { domain: 'native', ...ns } as never);
    await until(() => host.logs(flooder).includes('sent'));
    const by = await host.spawn({ source: client('bystander', `ctx.log('sent'); ctx.log(String(await call(srv, { op: 'work', who: 'b', n: 0 })));`) }, { domain: 'native', ...ns } as never);
    await until(() => host.logs(by).includes('sent'));
    host.send(srv, 'go', 'go');
    expect((await host.waitExit(flooder)).code).toBe(0);
    expect((await host.waitExit(by)).code).toBe(0);
    // One running, five queued, the other fourteen refused at once.
    expect(JSON.parse(host.logs(flooder)[1]!)).toEqual({ ok: 6, EAGAIN: 14 });
    // Round-robin: the bystander's request is served right after the flooder's next one, not after all five.
    expect(host.logs(srv)).toEqual(['f0', 'f1', 'b0', 'f2', 'f3', 'f4', 'f5']);
    host.shutdown();
  });

  it('serve - malformed input gets EINVAL (or is dropped), and an error crosses with its cause', async () => {
    const host = createTestHost({ config: { behavior: false } });
    const srv = await host.spawn({ source: SERVER }, { domain: 'native', name: 'srv' });
    host.send(srv, 'go', 'go');
    const ns = { namespace: { srv: { handle: host.handleFor(srv), rights: 8 } } };
    const c = await host.spawn({ source: client('c', `
      k.ipcSend(srv, new TextEncoder().encode('junk without a reply handle'));
      try { await call(srv, { op: 'nope' }); } catch (e) { ctx.log(e.code + ' ' + e.detail.arg); }
      try { await call(srv, { op: 'fail' }); } catch (e) { ctx.log(JSON.stringify([e.code, e.message, e.detail, e.cause.code, e.cause.message, e.cause.detail])); }
      ctx.log(String(await call(srv, { op: 'work', who: 'c', n: 7 })));`) }, { domain: 'native', ...ns } as never);
    expect((await host.waitExit(c)).code).toBe(0);
    expect(host.logs(c)).toEqual(['EINVAL op', JSON.stringify(['EBUSY', 'outer', { x: 1 }, 'ENOENT', 'inner', { y: 2 }]), '7']);
    host.shutdown();
  });
});

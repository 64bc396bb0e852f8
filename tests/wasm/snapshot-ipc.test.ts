// Snapshot clones through the real kernel: every call that builds values in the sandbox through the prelude's
// makers (a received message by ipcWait/ipcRecv, a batch by ipcRecvMany, errors, blocking waits) works the same
// in a clone (the third spawn of an image and later) as in the sandbox that booted the image.
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';

let host: KernelHost;
afterEach(() => host?.shutdown());

const ECHOER = `
import { defineAgent } from '@aios/runtime';
import { ipcWait, ipcRecv, ipcRecvMany } from '@aios/runtime/kernel';
const text = (m) => new TextDecoder().decode(m.data);
export default defineAgent({ name: 'echoer', async main(ctx) {
  const a = await ipcWait();
  let b = null; try { b = ipcRecv(); } catch (e) { b = e.code; }
  const many = ipcRecvMany(8);
  let empty = null; try { ipcRecv(); } catch (e) { empty = e.code; }
  ctx.log(JSON.stringify({ a: text(a), b: typeof b === 'string' ? b : text(b), many: many.map(text), empty }));
} });`;

describe('wasm snapshots - through the kernel', () => {
  it('snapshot - clones receive messages one at a time and in batches, as the booted sandbox does', async () => {
    host = createTestHost();
    const want = { a: 'one', b: 'two', many: ['three', 'four'], empty: 'EAGAIN' };
    for (let i = 0; i < 4; i++) {
      const id = await host.spawn({ source: ECHOER }, { name: `echoer${i}`, domain: 'wasm' });
      for (const t of ['one', 'two', 'three', 'four']) host.send(id, t);
      const st = await host.waitExit(id);
      expect(st.code, host.logs(id).join('\n')).toBe(0);
      expect(JSON.parse(host.logs(id).find((l) => l.startsWith('{'))!)).toEqual(want);
    }
  });
});

// The syscall ring and its wire, against real worker threads: round trips of every value kind, many
// workers at once, byte arguments larger than the ring (chunked), errors that come back as the same
// class and code, and a worker that dies in the middle of a message.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { AiosError, limits } from '@aios/abi';
import { TrapError } from '../domain/types.ts';
import { createRingMemory, RingServer, RingTimeout } from './ring.ts';
import { Reader, Writer, readError, writeError, writeValue } from './wire.ts';

function startFixture(workerData: object): Worker {
  const api = join(dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs');
  const entry = new URL('./ring.fixture.ts', import.meta.url).href;
  const boot = `import { register } from ${JSON.stringify(pathToFileURL(api).href)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData, execArgv: ['--conditions=aios-source'] });
}

/** Serves a ring on this thread: echoes values; a value { fail: kind } comes back as that error. */
function serve(server: RingServer): void {
  const tick = (): void => {
    for (let rd = server.poll(); rd !== null; rd = server.poll()) {
      const v = rd.value() as { fail?: string } | undefined;
      const w = server.begin();
      if (v !== null && typeof v === 'object' && typeof v.fail === 'string') {
        w.u8(1);
        const err = v.fail === 'aios' ? new AiosError('EQUOTA', 'over quota', { resource: 'memBytes', limit: 5, used: 6 })
          : v.fail === 'trap' ? new TrapError('cpu', 'ran too long') : new RangeError('plain failure');
        writeError(w, err);
      } else {
        w.u8(0);
        writeValue(w, v);
      }
      server.reply(w);
    }
    server.arm(tick);
  };
  tick();
}

function exchange(values: unknown[]): Promise<unknown[]> {
  const ring = createRingMemory();
  const server = new RingServer(ring);
  serve(server);
  const w = startFixture({ ring, values });
  return new Promise((resolve, reject) => {
    w.once('message', (m: unknown[]) => {
      void w.terminate();
      server.close();
      resolve(m);
    });
    w.once('error', reject);
  });
}

describe('exec ring', () => {
  it('exec ring - every value kind makes the round trip unchanged', async () => {
    const values = [undefined, null, true, false, 0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 1.5, -0, NaN, Infinity, '', 'héllo \u0000 \ud83d\ude00',
      12345678901234567890n, new Uint8Array([0, 1, 255]), [1, [2, [3]], { a: 'b' }], { x: { y: [null, undefined] }, n: 3 }];
    const got = (await exchange(values)) as Array<{ ok: unknown }>;
    expect(got.map((g) => g.ok)).toEqual(values);
    expect(Object.is((got[10] as { ok: number }).ok, -0)).toBe(true);
  });

  it('exec ring - byte arguments larger than the ring cross in chunks, both ways', async () => {
    const big = new Uint8Array(limits.EXEC_RING_BYTES * 3 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 255;
    const [r] = (await exchange([{ data: big, tag: 'big' }])) as Array<{ ok: { data: Uint8Array; tag: string } }>;
    expect(r!.ok.tag).toBe('big');
    expect(Buffer.compare(Buffer.from(r!.ok.data), Buffer.from(big))).toBe(0);
  });

  it('exec ring - errors come back as AiosError with code and detail, TrapError with kind, others by name', async () => {
    const got = (await exchange([{ fail: 'aios' }, { fail: 'trap' }, { fail: 'plain' }])) as Array<{ err: Record<string, unknown> }>;
    expect(got[0]!.err).toMatchObject({ name: 'AiosError', code: 'EQUOTA', message: 'over quota', detail: { resource: 'memBytes', limit: 5, used: 6 } });
    expect(got[1]!.err).toMatchObject({ name: 'TrapError', trap: 'cpu', message: 'ran too long' });
    expect(got[2]!.err).toMatchObject({ name: 'RangeError', message: 'plain failure' });
  });

  it('exec ring - four workers at once, each on its own ring, served by one thread', async () => {
    const runs = [0, 1, 2, 3].map((k) => exchange(Array.from({ length: 500 }, (_, i) => ({ k, i, s: 'x'.repeat(i % 50) }))));
    const all = (await Promise.all(runs)) as Array<Array<{ ok: { k: number; i: number } }>>;
    all.forEach((res, k) => {
      expect(res).toHaveLength(500);
      res.forEach((r, i) => expect(r.ok).toMatchObject({ k, i }));
    });
  });

  it('exec ring - a worker that dies in the middle of a chunked message: the server gives up with RingTimeout', async () => {
    const ring = createRingMemory(64);
    const server = new RingServer(ring);
    const w = startFixture({ ring, values: [], mode: 'cut' });
    await new Promise((r) => w.once('exit', r));
    expect(server.state).toBe(1);
    expect(() => server.poll()).toThrow(RingTimeout);
  }, 20_000);

  it('exec wire - malformed messages are EINVAL, never another error', () => {
    const w = new Writer();
    writeValue(w, { a: [1, 2, 3], b: new Uint8Array(4) });
    const bytes = w.bytes().slice();
    for (let cut = 0; cut < bytes.length; cut++) {
      try {
        new Reader(bytes.subarray(0, cut)).value();
      } catch (e) {
        expect((e as AiosError).code).toBe('EINVAL');
      }
    }
    expect(() => new Reader(new Uint8Array([99])).value()).toThrow(AiosError);
    const e = new Writer();
    e.u8(1);
    e.str('ENOTACODE');
    e.str('m');
    e.u8(0);
    expect((readError(new Reader(e.bytes())) as AiosError).code).toBe('EINVAL');
    expect(() => writeValue(new Writer(), () => 1)).toThrow(AiosError);
    expect(() => writeValue(new Writer(), new Uint16Array(2))).toThrow(AiosError);
  });
});

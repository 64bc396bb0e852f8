// Test fixture for ring.test.ts: a worker that sends each of workerData.values over its ring and posts
// back what came back (the value, or the error rebuilt from the wire). Mode 'cut' writes the first chunk
// of a two-chunk message by hand and exits, as a worker that dies mid-message would.
import { parentPort, workerData } from 'node:worker_threads';
import { AiosError } from '@aios/abi';
import { RingClient } from './ring.ts';
import { readError, writeValue } from './wire.ts';
import { TrapError } from '../domain/types.ts';

const data = workerData as { ring: SharedArrayBuffer; values: unknown[]; mode?: 'cut' };
if (data.mode === 'cut') {
  const ctl = new Int32Array(data.ring, 0, 4);
  ctl[1] = 8;
  ctl[2] = 1;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  process.exit(3);
}
const ring = new RingClient(data.ring);
const out: unknown[] = [];
for (const v of data.values) {
  const w = ring.begin();
  writeValue(w, v);
  const r = ring.call(w);
  if (r.u8() === 0) out.push({ ok: r.value() });
  else {
    const e = readError(r);
    out.push({ err: { name: e.name, message: e.message, code: e instanceof AiosError ? e.code : undefined, detail: e instanceof AiosError ? e.detail : undefined, trap: e instanceof TrapError ? e.kind : undefined } });
  }
}
parentPort!.postMessage(out);

// Worker thread body: runs one PQC operation per message (see pqc-pool.ts).
import { parentPort } from 'node:worker_threads';
import { runPqc } from '@aios/kernel';

parentPort!.on('message', (m: { id: number; op: Parameters<typeof runPqc>[0]; args: Record<string, Uint8Array> }) => {
  try {
    parentPort!.postMessage({ id: m.id, ok: true, value: runPqc(m.op, m.args) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});

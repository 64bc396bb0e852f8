// Runs PQC operations on a worker thread so a slow ML-DSA signature never
// stalls the kernel's thread. Falls back to inline execution when the worker
// script is not available (running from TypeScript sources under a test runner).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runPqc, type OffloadPort } from '@aios/kernel';
import type { PqcOp } from '@aios/abi';

interface Pending {
  resolve(v: Record<string, Uint8Array | boolean>): void;
  reject(e: Error): void;
}

export interface PqcPool extends OffloadPort {
  close(): Promise<void>;
  readonly threaded: boolean;
}

export function createPqcPool(): PqcPool {
  const script = fileURLToPath(new URL('./pqc-worker.js', import.meta.url));
  if (!import.meta.url.endsWith('.js') || !existsSync(script)) {
    return { threaded: false, pqc: async (op, args) => runPqc(op, args), close: async () => {} };
  }
  let worker: Worker | null = null;
  let next = 1;
  const pending = new Map<number, Pending>();
  const start = (): Worker => {
    const w = new Worker(script);
    w.unref();
    w.on('message', (m: { id: number; ok: boolean; value?: Record<string, Uint8Array | boolean>; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value!);
      else p.reject(new Error(m.error));
    });
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      worker = null;
    });
    return w;
  };
  return {
    threaded: true,
    pqc(op: PqcOp, args: Record<string, Uint8Array>) {
      worker ??= start();
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, op, args });
      });
    },
    async close() {
      await worker?.terminate();
      worker = null;
    },
  };
}

// Host ports for a kernel running in this Node.js process: the real clock,
// crypto randomness, timers, setImmediate stepping, the esbuild image loader,
// and PQC run inline (the node itself runs PQC on a worker thread).

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createImageLoader } from '@aios/drivers/loader-esbuild';
import { runPqc, type KernelPorts, type OffloadPort } from '@aios/kernel';

export interface HostPortOptions {
  cwd?: string;
  log?: KernelPorts['log'];
  offload?: OffloadPort;
}

export function hostPorts(opts: HostPortOptions = {}): KernelPorts {
  return {
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
    random: (n) => new Uint8Array(randomBytes(n)),
    timers: {
      setTimer: (ms, fn) => setTimeout(fn, ms),
      clearTimer: (id) => clearTimeout(id as NodeJS.Timeout),
    },
    defer: (fn) => setImmediate(fn),
    loader: createImageLoader({ cwd: opts.cwd }),
    offload: opts.offload ?? { pqc: async (op, args) => runPqc(op, args) },
    log: opts.log,
  };
}

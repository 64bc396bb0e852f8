// Host ports for a kernel running in this Node.js process: the real clock,
// crypto randomness, timers, setImmediate stepping, the esbuild image loader,
// and the given offload port for PQC.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createImageLoader } from '../loader-esbuild/index.ts';
import type { KernelPorts, OffloadPort } from '@aios/abi';
import { createHostFs } from './fs.ts';
import { createHostNet } from './net.ts';

export interface HostPortOptions {
  cwd?: string;
  log?: KernelPorts['log'];
  offload: OffloadPort;
  /** Where agents' scratch folders live (the node: <data>/scratch); absent: agents get none. */
  scratchDir?: string;
  /** Where kernel spans go (OpenTelemetry); absent: tracing off. */
  tracer?: KernelPorts['tracer'];
}

export function hostPorts(opts: HostPortOptions): KernelPorts {
  return {
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
    random: (n) => new Uint8Array(randomBytes(n)),
    timers: {
      setTimer: (ms, fn) => setTimeout(fn, ms),
      clearTimer: (id) => clearTimeout(id as NodeJS.Timeout),
    },
    defer: (fn) => setImmediate(fn),
    loader: createImageLoader({ cwd: opts.cwd }),
    offload: opts.offload,
    fs: createHostFs({ scratchDir: opts.scratchDir }),
    net: createHostNet(),
    log: opts.log,
    ...(opts.tracer !== undefined ? { tracer: opts.tracer } : {}),
  };
}

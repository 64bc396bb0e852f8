// The wasm execution domain: each agent image runs in its own QuickJS runtime inside one shared
// QuickJS WebAssembly module, with a memory limit, a stack limit and a CPU-slice interrupt.
// Trusts the ports it is given (clock for the CPU deadline, randomness for crypto.getRandomValues).

import type { AgentInstance, ExecutionDomain, Gate, InstanceLimits } from '../types.ts';
import { WasmInstance } from './instance.ts';
import type { WasmPorts } from './support.ts';

export type WasmDomainOptions = WasmPorts;

/** The wasm domain, plus an optional pool of blank sandboxes the kernel may fill when it is idle. */
export interface WasmDomain extends ExecutionDomain {
  readonly name: 'wasm';
  /**
   * Fills (or trims) the pool of blank sandboxes (runtime + context + prelude, no image) to
   * `count`. instantiate() takes one from the pool when there is one, which leaves only the
   * image and its first activation on the spawn path. Deterministic: nothing refills by itself.
   */
  prewarm(count: number): void;
  /** Blank sandboxes waiting in the pool. */
  readonly pooled: number;
}

/** Creates the wasm domain. instantiate() throws TrapError('load' | 'memory' | 'cpu') when the image does not load. */
export function createWasmDomain(opts: WasmDomainOptions): WasmDomain {
  const ports: WasmPorts = { random: (n) => opts.random(n), now: () => opts.now() };
  const pool: WasmInstance[] = [];
  return {
    name: 'wasm',
    instantiate(code: string, gate: Gate, limits: InstanceLimits): AgentInstance {
      const blank = pool.pop() ?? new WasmInstance(ports);
      return blank.boot(code, gate, limits);
    },
    prewarm(count: number): void {
      const n = Math.max(0, Math.floor(count));
      while (pool.length > n) pool.pop()!.dispose();
      while (pool.length < n) pool.push(new WasmInstance(ports));
    },
    get pooled(): number {
      return pool.length;
    },
  };
}

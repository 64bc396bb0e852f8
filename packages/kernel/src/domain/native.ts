// The native execution domain: trusted code evaluated in the kernel's own
// isolate. Used for services and hosts that embed the kernel. It has no CPU
// interrupt and no memory limit: only code the node's operator trusts runs here.

import type { AgentInstance, EntryInfo, ExecutionDomain, Gate, InstanceLimits } from './types.ts';
import { TrapError } from './types.ts';

interface Entry {
  info: EntryInfo;
  dispatch(kind: string, payload?: unknown): Promise<unknown>;
}

type Factory = (gate: Gate) => Entry;

/** Compiled images, by code: each spawn re-runs the module body with its own gate, but compiles once. */
const compiled = new Map<string, Factory>();

function compile(code: string): Factory {
  let f = compiled.get(code);
  if (f === undefined) {
    // The bundle is an IIFE assigning `var __aios_agent`; the gate is a parameter,
    // so every instance gets its own binding of the runtime's trap.
    f = new Function('__aios_trap', `${code}\n;return __aios_agent.entry;`) as Factory;
    if (compiled.size > 256) compiled.clear();
    compiled.set(code, f);
  }
  return f;
}

export function createNativeDomain(): ExecutionDomain {
  return {
    name: 'native',
    instantiate(code: string, gate: Gate, _limits: InstanceLimits): AgentInstance {
      let entry: Entry;
      try {
        entry = compile(code)(gate);
      } catch (e) {
        throw new TrapError('load', e instanceof Error ? e.message : String(e));
      }
      if (typeof entry?.dispatch !== 'function') throw new TrapError('load', 'image has no agent entry');
      let disposed = false;
      return {
        info: entry.info,
        dispatch(kind, payload) {
          if (disposed) return Promise.reject(new TrapError('load', 'instance disposed'));
          try {
            return entry.dispatch(kind, payload);
          } catch (e) {
            return Promise.reject(e);
          }
        },
        memoryBytes: () => 0,
        dispose() {
          disposed = true;
        },
      };
    },
  };
}

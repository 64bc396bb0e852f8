// Test helpers for the wasm domain (imported by *.test.ts only): bundles agent files exactly the
// way the kernel does, and a small fake gate standing in for the kernel (Log, Sleep, SelfInfo,
// SelfHandle, IPCSend, plus an echo call). Trusts esbuild and the fixtures folder.

import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { AiosError } from '@aios/abi';
import type { Gate, InstanceLimits } from '../../packages/kernel/src/domain/types.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const cache = new Map<string, string>();

/** Bundles an agent module (a path, or source text with `contents`) into an image, as the kernel does. */
export async function bundle(agent: string | { contents: string }): Promise<string> {
  const key = typeof agent === 'string' ? agent : agent.contents;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let stdin: string;
  if (typeof agent === 'string') {
    stdin = `import * as m from './${agent}'; import { createEntry } from '@aios/runtime/entry'; export const entry = createEntry(m);`;
  } else {
    stdin = `${agent.contents}\n;import { createEntry as __ce } from '@aios/runtime/entry'; export const entry = __ce({ default: agent });`;
  }
  const r = await esbuild.build({
    stdin: { contents: stdin, resolveDir: FIXTURES, loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: '__aios_agent',
    platform: 'neutral',
    conditions: ['aios-source'],
    mainFields: ['module', 'main'],
    write: false,
    target: 'es2020',
  });
  const code = r.outputFiles[0]!.text;
  cache.set(key, code);
  return code;
}

export const LIMITS: InstanceLimits = { memoryBytes: 8 * 1024 * 1024, stackBytes: 256 * 1024, sliceMs: 1000 };

export interface Sent {
  to: unknown;
  data: Uint8Array;
  opts: unknown;
}

/** A small stand-in for the kernel: records what the agent did; sleeps resolve when flushed. */
export class FakeKernel {
  readonly logs: unknown[][] = [];
  readonly sent: Sent[] = [];
  readonly calls: number[] = [];
  private sleepers: Array<{ due: number; resolve(): void; reject(e: unknown): void }> = [];
  now = 0;
  /** Error thrown by syscall 40 (a call the tests use to raise a gate error). */
  raise: unknown = new AiosError('EPERM', 'not allowed here', { right: 'SEND' });

  readonly gate: Gate = (nr, args) => {
    this.calls.push(nr);
    switch (nr) {
      case 4: {
        const [to, data, opts] = args;
        if (!(data instanceof Uint8Array)) throw new AiosError('EINVAL', 'data must be a Uint8Array', { arg: 'data' });
        if (data.byteLength > 65536) throw new AiosError('EMSGSIZE', 'message larger than 64 KiB');
        this.sent.push({ to, data, opts });
        return undefined;
      }
      case 17:
        return 7;
      case 19:
        this.logs.push(args);
        return undefined;
      case 30: {
        const ms = args[0];
        if (typeof ms !== 'number' || !(ms >= 0)) throw new AiosError('EINVAL', 'ms must be a non-negative number');
        return new Promise<void>((resolve, reject) => this.sleepers.push({ due: this.now + ms, resolve, reject }));
      }
      case 38:
        return { id: 42, name: 'tester', parent: null, domain: 'wasm', config: { greeting: 'hello' } };
      case 39:
        return args;
      case 40:
        throw this.raise;
      default:
        throw new AiosError('ENOSYS', `no syscall ${nr}`);
    }
  };

  /** Number of sleeps waiting. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Advances the fake clock by ms, waking due sleepers in order; waits for their continuations. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.due - b.due);
      const next = this.sleepers[0];
      if (!next || next.due > end) break;
      this.sleepers.shift();
      this.now = next.due;
      next.resolve();
      await settle();
    }
    this.now = end;
    await settle();
  }

  /** Text of every log line, args joined by a space. */
  lines(): string[] {
    return this.logs.map((a) => a.map(String).join(' '));
  }
}

/** Lets pending host microtasks (and the sandbox continuations they run) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Deterministic ports: a counter clock that moves 1 ms per read, and a counting random source. */
export function ports(): { random(n: number): Uint8Array; now(): number; wallClock(): number } {
  let t = 0;
  let seed = 1;
  return {
    now: () => (t += 1),
    wallClock: () => 1_700_000_000_000 + t,
    random: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      return out;
    },
  };
}

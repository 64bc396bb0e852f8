// The fuzz test's node: a real kernel in-process (native and wasm domains, the offline model
// device, a memory storage device, an in-memory journal for durable agents), with its syscall
// dispatcher wrapped so every outcome is checked on the host side: a value, or an AiosError
// with a taxonomy code. Trusts the kernel's public surface; reaches into it only to observe.

import { ERROR_CODES, isAiosError } from '@aios/abi';
import { KernelHost, createWasmDomain, runPqc, type Kernel } from '@aios/kernel';
import { hostPorts } from '@aios/drivers/host-ports';
import { createOfflineDriver } from '@aios/drivers/llm-offline';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import { SYSCALL_BY_NR } from '@aios/abi';
import { MemoryJournal } from './journal.ts';
import { SENTINEL } from './args.ts';

export interface BadOutcome {
  agent: number;
  syscall: string;
  error: string;
}

export interface FuzzNode {
  host: KernelHost;
  journal: MemoryJournal;
  /** Every log line of every agent, by agent name (incarnations of a durable agent share one). */
  lines: Map<string, string[]>;
  /** Outcomes of syscalls that were neither a value nor a taxonomy AiosError. */
  bad: BadOutcome[];
  calls: { n: number };
  /** The slowest host-side time of each syscall (ms), to spot calls whose host work is unbounded. */
  slowest: Map<string, number>;
}

/** True for what a syscall may throw: a taxonomy AiosError, the kernel's exit unwind, or the agent's own sentinel. */
export function allowedThrow(e: unknown): boolean {
  if (isAiosError(e) && Object.prototype.hasOwnProperty.call(ERROR_CODES, (e as { code: string }).code)) return true;
  if (e instanceof Error && e.name === 'AgentExit') return true;
  const msg = e instanceof Error ? e.message : '';
  return msg.includes(SENTINEL) || /proxy that has been revoked/.test(msg);
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : `non-error ${typeof e}: ${String(e)}`;
  } catch {
    return 'unprintable error';
  }
}

export function bootFuzzNode(): FuzzNode {
  const journal = new MemoryJournal();
  const lines = new Map<string, string[]>();
  const log = (_id: number, name: string, line: string): void => {
    const l = lines.get(name) ?? [];
    if (l.length < 20_000) l.push(line);
    lines.set(name, l);
  };
  const base = hostPorts({ offload: { pqc: async (op, args) => runPqc(op, args) }, log });
  const ports = { ...base, journal };
  const host = new KernelHost(ports, { arenaFrames: 512, sliceMs: 1_000, llm: createOfflineDriver() }, [createWasmDomain({ random: ports.random, now: () => ports.clock.monotonic(), wallClock: () => ports.clock.now() })]);
  host.kernel.plugDevice('storage', createMemoryStorage());
  const bad: BadOutcome[] = [];
  const calls = { n: 0 };
  const slowest = new Map<string, number>();
  wrapDispatcher(host.kernel, bad, calls, slowest);
  return { host, journal, lines, bad, calls, slowest };
}

/** Wraps the dispatcher's syscall (every gate calls it by name) to check each outcome; behaviour is unchanged. */
function wrapDispatcher(k: Kernel, bad: BadOutcome[], calls: { n: number }, slowest: Map<string, number>): void {
  const d = k.dispatcher;
  const inner = d.syscall.bind(d);
  const record = (agent: number, nr: number, e: unknown): void => {
    if (allowedThrow(e) || bad.length >= 50) return;
    bad.push({ agent, syscall: SYSCALL_BY_NR[nr]?.name ?? `nr:${String(nr)}`, error: describe(e) });
  };
  d.syscall = (a, nr, args) => {
    calls.n++;
    let r: unknown;
    const t0 = performance.now();
    try {
      r = inner(a, nr, args);
    } catch (e) {
      record(a.id, nr, e);
      throw e;
    } finally {
      const name = `${SYSCALL_BY_NR[nr]?.name ?? 'unknown'}/${a.domain}`;
      const dt = performance.now() - t0;
      if (dt > (slowest.get(name) ?? 0)) slowest.set(name, dt);
    }
    if (r instanceof Promise) r.catch((e: unknown) => record(a.id, nr, e));
    return r;
  };
}

// @aios/testkit: boots real kernels inside a test process (real ports, native
// and, when available, wasm domains) and small helpers to run agents to completion.

import { KernelHost, createWasmDomain, runPqc, type ExecutionDomain, type KernelConfig } from '@aios/kernel';
import { hostPorts, type HostPortOptions } from '@aios/drivers/host-ports';

export interface TestHostOptions extends Partial<HostPortOptions> {
  config?: KernelConfig;
  /** Extra execution domains; by default the wasm domain is registered beside the native one. */
  domains?: ExecutionDomain[];
}

/**
 * Executors for test hosts: `AIOS_CPUS` when set (so a whole suite runs with 1 or N executors), else 0
 * (sandboxed agents inline on the kernel thread). A config's own `executors` wins.
 */
export function testExecutors(env: Record<string, string | undefined> = process.env): number {
  const v = env.AIOS_CPUS;
  if (v === undefined || v.trim() === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`AIOS_CPUS must be a whole number, not ${JSON.stringify(v)}`);
  return n;
}

/** A kernel host with real ports, for tests and benches. Call shutdown() when done. */
export function createTestHost(opts: TestHostOptions = {}): KernelHost {
  const offload = opts.offload ?? { pqc: async (op, args) => runPqc(op, args) };
  const ports = hostPorts({ ...opts, offload });
  const domains = opts.domains ?? [createWasmDomain({ random: ports.random, now: () => ports.clock.monotonic(), wallClock: () => ports.clock.now() })];
  const config = { ...(opts.config ?? {}) };
  config.executors ??= testExecutors();
  return new KernelHost(ports, config, domains);
}

/** Spawns an agent from source and waits for it to exit; returns its exit status and log. */
export async function runAgent(host: KernelHost, source: string, opts: Parameters<KernelHost['spawn']>[1] = {}): Promise<{ id: number; code: number; reason: string; logs: string[] }> {
  const id = await host.spawn({ source }, opts);
  const st = await host.waitExit(id);
  return { ...st, logs: host.logs(id) };
}

export { until, untilTruthy } from './poll.ts';
export type { PollOptions } from './poll.ts';

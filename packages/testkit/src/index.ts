// @aios/testkit: boots real kernels inside a test process (real ports, native
// and, when available, wasm domains) and small helpers to run agents to completion.

import { KernelHost, createWasmDomain, runPqc, type ExecutionDomain, type KernelConfig } from '@aios/kernel';
import { hostPorts, type HostPortOptions } from '@aios/drivers/host-ports';

export interface TestHostOptions extends Partial<HostPortOptions> {
  config?: KernelConfig;
  /** Extra execution domains; by default the wasm domain is registered beside the native one. */
  domains?: ExecutionDomain[];
}

/** A kernel host with real ports, for tests and benches. Call shutdown() when done. */
export function createTestHost(opts: TestHostOptions = {}): KernelHost {
  const offload = opts.offload ?? { pqc: async (op, args) => runPqc(op, args) };
  const ports = hostPorts({ ...opts, offload });
  const domains = opts.domains ?? [createWasmDomain({ random: ports.random, now: () => ports.clock.monotonic() })];
  return new KernelHost(ports, opts.config ?? {}, domains);
}

/** Spawns an agent from source and waits for it to exit; returns its exit status and log. */
export async function runAgent(host: KernelHost, source: string, opts: Parameters<KernelHost['spawn']>[1] = {}): Promise<{ id: number; code: number; reason: string; logs: string[] }> {
  const id = await host.spawn({ source }, opts);
  const st = await host.waitExit(id);
  return { ...st, logs: host.logs(id) };
}

export { until, untilTruthy } from './poll.ts';
export type { PollOptions } from './poll.ts';

// How many executors (worker threads running sandboxed agents) a node runs: `--cpus N` / boot({ cpus }),
// else AIOS_CPUS, else the machine's available parallelism. 0 runs sandboxed agents on the kernel's own
// thread (the single-loop behaviour). Anything else than a whole number from 0 to EXECUTORS_MAX is EINVAL.

import { availableParallelism } from 'node:os';
import { AiosError, limits } from '@aios/abi';

export function resolveCpus(given: number | string | undefined, env: Record<string, string | undefined> = process.env): number {
  const raw = given ?? (env.AIOS_CPUS !== undefined && env.AIOS_CPUS.trim() !== '' ? env.AIOS_CPUS : undefined);
  if (raw === undefined) return Math.min(availableParallelism(), limits.EXECUTORS_MAX);
  const n = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isInteger(n) || n < 0 || n > limits.EXECUTORS_MAX) {
    throw new AiosError('EINVAL', `cpus must be a whole number from 0 to ${limits.EXECUTORS_MAX} (--cpus or AIOS_CPUS), not ${JSON.stringify(raw)}`, { arg: 'cpus', max: limits.EXECUTORS_MAX });
  }
  return n;
}

// The configuration a benchmark ran under, printed with its result (`configuration: {...}`), so a figure is
// never read apart from its sizes, domain, monitor settings and the machine it ran on.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { isFull } from './stats.ts';

export function configuration(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: isFull() ? 'full' : 'quick',
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    ...extra,
  };
}

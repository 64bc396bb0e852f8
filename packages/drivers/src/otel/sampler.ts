// Head sampling from the standard variables, decided once per trace root (a span without a parent):
//   OTEL_TRACES_SAMPLER      always_on | always_off | traceidratio | parentbased_always_on
//                            | parentbased_always_off | parentbased_traceidratio
//   OTEL_TRACES_SAMPLER_ARG  the ratio in [0, 1] of the *traceidratio samplers (default 1.0 when a sampler is named)
// Default here (no OTEL_TRACES_SAMPLER): parentbased_traceidratio at DEFAULT_RATIO (0.1), not the SDK's
// parentbased_always_on: a node's traced syscalls are cheap, so recording every trace would cost several times
// the workload (bench/otel.ts); one trace in ten keeps tracing on under 10 %. Set parentbased_always_on to see all.
// A parent-based sampler follows the parent's sampled flag for every span that has one, so a trace is whole or
// absent. An unknown sampler or a ratio outside [0, 1] is EINVAL (at boot, not silently ignored).
import { AiosError } from '@aios/abi';
import type { Env } from '../env-vars.ts';

export interface SamplerConfig {
  /** Roots are kept with this probability (1: always, 0: never). */
  ratio: number;
  /** Spans with a parent follow its sampled flag (else they are decided like roots, by trace id). */
  parentBased: boolean;
  /** The standard name, for docs and status. */
  name: string;
}

const NAMES = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/** The share of new traces kept when no sampler is named (see the header). */
export const DEFAULT_RATIO = 0.1;

/** The sampler the variables name; parentbased_traceidratio at DEFAULT_RATIO when none is set. */
export function samplerFromEnv(env: Env): SamplerConfig {
  const named = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (named === undefined || named === '') {
    const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
    return samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: arg === undefined || arg === '' ? String(DEFAULT_RATIO) : arg });
  }
  const name = named as (typeof NAMES)[number];
  if (!NAMES.includes(name)) {
    throw new AiosError('EINVAL', `OTEL_TRACES_SAMPLER '${name}' is not supported`, { env: 'OTEL_TRACES_SAMPLER', value: name, allowed: [...NAMES] });
  }
  const parentBased = name.startsWith('parentbased_');
  if (name.endsWith('always_on')) return { ratio: 1, parentBased, name };
  if (name.endsWith('always_off')) return { ratio: 0, parentBased, name };
  const rawArg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = rawArg === undefined || rawArg === '' ? 1 : Number(rawArg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new AiosError('EINVAL', `OTEL_TRACES_SAMPLER_ARG '${rawArg}' is not a ratio in [0, 1]`, { env: 'OTEL_TRACES_SAMPLER_ARG', value: rawArg, min: 0, max: 1 });
  }
  return { ratio, parentBased, name };
}

/** The trace-id-ratio decision for a trace id (32 hex): its low 32 bits against ratio * 2^32 (deterministic). */
export function traceIdKept(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return Number.parseInt(traceId.slice(24), 16) < ratio * 0x1_0000_0000;
}

// OTP supervision vocabulary (ChildSpec, SupFlags) with OTP's defaults, and the
// validation that turns user input into complete specs. Pure: no syscalls.

import { AiosError, type AgentImage, type SpawnOptions } from '@aios/abi';
import type { Shutdown } from './shutdown.ts';

export type RestartType = 'permanent' | 'transient' | 'temporary';
export type ChildType = 'worker' | 'supervisor';
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

export interface ChildSpec {
  /** Unique among the supervisor's children. */
  id: string;
  start: { image: AgentImage; opts?: SpawnOptions };
  /** permanent (default): always restarted; transient: only after an abnormal exit; temporary: never. */
  restart?: RestartType;
  /** 'brutal_kill', ms to wait after the shutdown request, or 'infinity'. Default 5000 (workers), 'infinity' (supervisors). */
  shutdown?: Shutdown;
  /** 'worker' (default) or 'supervisor' (its image runs a supervisor; it is granted the spawn privilege). */
  type?: ChildType;
}

export interface SupFlags {
  /** Default one_for_one. */
  strategy?: Strategy;
  /** Most restarts allowed within `period` seconds (default 1); one more makes the supervisor give up. */
  intensity?: number;
  /** Seconds (default 5). */
  period?: number;
}

export interface NormalizedSpec {
  id: string;
  start: { image: AgentImage; opts: SpawnOptions };
  restart: RestartType;
  shutdown: Shutdown;
  type: ChildType;
}

export const DEFAULT_FLAGS: Readonly<Required<SupFlags>> = { strategy: 'one_for_one', intensity: 1, period: 5 };
export const DEFAULT_WORKER_SHUTDOWN_MS = 5_000;

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];
const RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary'];
const TYPES: readonly ChildType[] = ['worker', 'supervisor'];

function bad(message: string, detail: Record<string, unknown>): never {
  throw new AiosError('EINVAL', message, detail);
}

export function normalizeFlags(flags: SupFlags | undefined): Required<SupFlags> {
  if (flags !== undefined && (typeof flags !== 'object' || flags === null)) bad('SupFlags must be an object', { arg: 'flags' });
  const f = { ...DEFAULT_FLAGS, ...stripUndefined(flags ?? {}) };
  if (!STRATEGIES.includes(f.strategy)) bad(`unknown strategy '${String(f.strategy)}'`, { arg: 'flags.strategy', value: f.strategy, allowed: STRATEGIES });
  if (!Number.isInteger(f.intensity) || f.intensity < 0) bad('intensity must be an integer >= 0', { arg: 'flags.intensity', value: f.intensity });
  if (typeof f.period !== 'number' || !(f.period > 0) || !Number.isFinite(f.period)) bad('period must be a number of seconds > 0', { arg: 'flags.period', value: f.period });
  return f;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isImage(v: unknown): v is AgentImage {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.source === 'string' || typeof o.path === 'string';
}

export function normalizeSpec(spec: ChildSpec, index = 0): NormalizedSpec {
  const at = `specs[${index}]`;
  if (typeof spec !== 'object' || spec === null) bad('a ChildSpec must be an object', { arg: at });
  if (typeof spec.id !== 'string' || spec.id.length === 0 || spec.id.length > 128) bad('ChildSpec.id must be a string of 1 to 128 characters', { arg: `${at}.id`, value: spec.id });
  if (typeof spec.start !== 'object' || spec.start === null || !isImage(spec.start.image)) bad(`child '${spec.id}': start.image must be { source } or { path }`, { arg: `${at}.start.image`, child: spec.id });
  const restart = spec.restart ?? 'permanent';
  if (!RESTARTS.includes(restart)) bad(`child '${spec.id}': unknown restart '${String(restart)}'`, { arg: `${at}.restart`, value: restart, allowed: RESTARTS });
  const type = spec.type ?? 'worker';
  if (!TYPES.includes(type)) bad(`child '${spec.id}': unknown type '${String(type)}'`, { arg: `${at}.type`, value: type, allowed: TYPES });
  const shutdown = spec.shutdown ?? (type === 'supervisor' ? 'infinity' : DEFAULT_WORKER_SHUTDOWN_MS);
  if (shutdown !== 'brutal_kill' && shutdown !== 'infinity' && !(Number.isInteger(shutdown) && shutdown >= 0)) {
    bad(`child '${spec.id}': shutdown must be 'brutal_kill', 'infinity' or ms >= 0`, { arg: `${at}.shutdown`, value: shutdown });
  }
  const opts: SpawnOptions = { ...(spec.start.opts ?? {}) };
  opts.name ??= spec.id;
  if (type === 'supervisor') {
    const caps = new Set(opts.capabilities ?? []);
    caps.add('spawn');
    opts.capabilities = [...caps];
  }
  return { id: spec.id, start: { image: spec.start.image, opts }, restart, shutdown, type };
}

/** Validates a list of specs: each one, and unique ids. simple_one_for_one needs exactly one spec. */
export function normalizeSpecs(specs: ChildSpec[], strategy: Strategy): NormalizedSpec[] {
  if (!Array.isArray(specs)) bad('specs must be a list of ChildSpec', { arg: 'specs' });
  const out = specs.map((s, i) => normalizeSpec(s, i));
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.id)) bad(`duplicate child id '${s.id}'`, { arg: 'specs', child: s.id });
    seen.add(s.id);
  }
  if (strategy === 'simple_one_for_one' && out.length !== 1) bad('simple_one_for_one needs exactly one ChildSpec (the template)', { arg: 'specs', count: out.length });
  return out;
}

/** A restart of a permanent child always; of a transient one only after an abnormal exit (code != 0 or a trap). */
export function shouldRestart(restart: RestartType, abnormal: boolean): boolean {
  return restart === 'permanent' || (restart === 'transient' && abnormal);
}

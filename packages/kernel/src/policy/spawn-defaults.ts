// Resource and scheduling policy at spawn: the node's Cedar @quota / @nice / @hints annotations (asked through
// the kernel config's spawnDefaults hook) fill in what the spawner did not set. Defaults never make a legal
// spawn fail: quotas are clamped to what the parent can give, nice to the parent's floor, and a 'deadline'
// hint (it needs a reservation) is never defaulted. Deterministic; trusts the hook's answer only in shape.
import { limits, Rights, type Quotas, type SchedHint } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';

/** What the node's policy gives a new agent by default (see policy/quota.ts resourcePolicy, schedulingPolicy). */
export interface SpawnDefaults {
  quotas?: Quotas;
  nice?: number;
  hints?: SchedHint[];
}

/** The question the hook is asked: who spawns (its id and privileges) and the labels the child asks for. */
export interface SpawnDefaultsRequest {
  parent: number;
  parentRights: number;
  labels: readonly string[];
  trust: number;
}

export type SpawnDefaultsHook = (req: SpawnDefaultsRequest) => SpawnDefaults | null;

const KNOWN: readonly string[] = ['memBytes', 'frames', 'spawns', 'spawnDepth', 'mailboxDepth'];

/** opts with the policy's defaults filled in where the spawner left them out. */
export function applySpawnDefaults(hook: SpawnDefaultsHook | undefined, a: Agent, opts: Record<string, unknown>): Record<string, unknown> {
  if (!hook) return opts;
  const labels = Array.isArray(opts.labels) ? (opts.labels as unknown[]).filter((l): l is string => typeof l === 'string') : [];
  const d = hook({ parent: a.id, parentRights: a.selfNode.rights, labels, trust: a.behavior.trust });
  if (!d) return opts;
  const out = { ...opts };
  if (out.nice === undefined && Number.isInteger(d.nice)) {
    const admin = (a.selfNode.rights & Rights.ADMIN) !== 0;
    out.nice = Math.min(limits.NICE_MAX, Math.max(d.nice!, admin ? limits.NICE_MIN : a.nice));
  }
  if (out.hints === undefined && Array.isArray(d.hints) && d.hints.length > 0) out.hints = d.hints.filter((h) => h !== 'deadline');
  if (d.quotas) {
    const given = (typeof out.quotas === 'object' && out.quotas !== null ? out.quotas : {}) as Record<string, unknown>;
    const q: Record<string, unknown> = { ...given };
    const lim = a.quota.limits as Record<string, number>;
    for (const [key, v] of Object.entries(d.quotas)) {
      if (given[key] !== undefined || !KNOWN.includes(key) || typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) continue;
      if (key === 'spawnDepth') q[key] = Math.max(0, Math.min(v, a.quota.depthLimit - a.depth - 1));
      else if (key === 'mailboxDepth') q[key] = Math.max(1, Math.min(v, limits.MAILBOX_MAX_DEPTH));
      else q[key] = lim[key] !== undefined ? Math.min(v, lim[key]!) : v;
    }
    out.quotas = q;
  }
  return out;
}

// Default quotas and scheduling parameters decided through the policy engine: the helpers ask
// QuotaQuery / SchedQuery for a synthetic principal with the given labels and merge the
// @quota / @nice / @hints annotations of the permits that matched (higher @priority wins).
import type { Quotas, SchedHint } from '@aios/abi';
import type { ParsedPolicy, PolicyEngine } from './engine.ts';
import { parseHints, parseNice, parsePriority, parseQuota } from './annotations.ts';

export interface SchedulingPolicy {
  nice: number;
  hints: SchedHint[];
}

function matched(engine: PolicyEngine, action: 'QuotaQuery' | 'SchedQuery', labels: readonly string[], trust: number): ParsedPolicy[] {
  const d = engine.authorize({
    principal: { id: `query:${labels.join(',')}`, name: '', labels: [...labels].sort(), trust, node: '' },
    action,
    resource: { type: 'Namespace', id: action === 'QuotaQuery' ? 'quota' : 'sched' },
  });
  if (d.decision !== 'allow') return [];
  const byId = new Map(engine.policies().map((p) => [p.id, p]));
  const out = d.policyIds.map((id) => byId.get(id)).filter((p): p is ParsedPolicy => p !== undefined && p.effect === 'permit');
  const prio = (p: ParsedPolicy) => (p.annotations.priority !== undefined ? (parsePriority(p.annotations.priority) as number) : 0);
  // Ascending priority, then id: later entries override earlier ones.
  return out.sort((a, b) => prio(a) - prio(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Quotas for an agent with these labels: the matched @quota annotations merged, higher @priority overriding. */
export function resourcePolicy(engine: PolicyEngine, labels: readonly string[], trust = 0): Quotas {
  const out: Quotas = {};
  for (const p of matched(engine, 'QuotaQuery', labels, trust)) {
    if (p.annotations.quota !== undefined) Object.assign(out, parseQuota(p.annotations.quota) as Quotas);
  }
  return out;
}

/** nice from the highest-priority matched @nice (default 0); hints are the union of matched @hints. */
export function schedulingPolicy(engine: PolicyEngine, labels: readonly string[], trust = 0): SchedulingPolicy {
  let nice = 0;
  const hints = new Set<SchedHint>();
  for (const p of matched(engine, 'SchedQuery', labels, trust)) {
    if (p.annotations.nice !== undefined) nice = parseNice(p.annotations.nice) as number;
    if (p.annotations.hints !== undefined) for (const h of parseHints(p.annotations.hints) as SchedHint[]) hints.add(h);
  }
  return { nice, hints: [...hints] };
}

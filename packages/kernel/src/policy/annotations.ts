// Parsing of the AIOS policy annotations: @quota("k=v,..."), @nice("n"), @hints("a,b"), @priority("n").
// Pure; returns an error string for a bad value so the engine can refuse the whole set.
import type { Quotas, SchedHint } from '@aios/abi';

const QUOTA_KEYS = ['memBytes', 'frames', 'spawns', 'spawnDepth', 'mailboxDepth'] as const;
const SCHED_HINTS: readonly SchedHint[] = ['interactive', 'batch', 'deadline', 'llm-bound', 'io-bound'];

export function parseQuota(v: string): Quotas | string {
  const out: Quotas = {};
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(part);
    if (!m || !(QUOTA_KEYS as readonly string[]).includes(m[1]!)) return `bad @quota entry "${part}" (keys: ${QUOTA_KEYS.join(', ')})`;
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n)) return `@quota value out of range in "${part}"`;
    out[m[1] as (typeof QUOTA_KEYS)[number]] = n;
  }
  return out;
}

export function parseNice(v: string): number | string {
  if (!/^-?\d+$/.test(v.trim())) return `bad @nice "${v}"`;
  const n = Number(v);
  return n >= -20 && n <= 19 ? n : `@nice ${n} outside -20..19`;
}

export function parseHints(v: string): SchedHint[] | string {
  const hints = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const h of hints) if (!SCHED_HINTS.includes(h as SchedHint)) return `bad @hints entry "${h}" (known: ${SCHED_HINTS.join(', ')})`;
  return hints as SchedHint[];
}

export function parsePriority(v: string): number | string {
  return /^-?\d+$/.test(v.trim()) ? Number(v) : `bad @priority "${v}"`;
}

/** Checks every AIOS annotation of one policy; returns the first problem or null. */
export function annotationError(ann: Record<string, string>): string | null {
  if (ann.quota !== undefined) {
    const q = parseQuota(ann.quota);
    if (typeof q === 'string') return q;
  }
  if (ann.nice !== undefined) {
    const n = parseNice(ann.nice);
    if (typeof n === 'string') return n;
  }
  if (ann.hints !== undefined) {
    const h = parseHints(ann.hints);
    if (typeof h === 'string') return h;
  }
  if (ann.priority !== undefined) {
    const p = parsePriority(ann.priority);
    if (typeof p === 'string') return p;
  }
  return null;
}

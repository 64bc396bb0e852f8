// Why an ask was refused, in one line for a person: the best candidates and the threshold from an ENOROUTE's
// detail (semantic-ipcd's router), e.g. "no route: best 'translate' 0.21 < threshold 0.26 (next 'greet' 0.12)".
// Contract: returns null when the detail carries no numeric threshold (the exact-intent and delivery refusals),
// so callers keep the error's own message there.

interface Candidate { intent?: unknown; score?: unknown }

const SHOWN = 3; // the best candidate and at most two runners-up

function fmt(n: number): string {
  return n.toFixed(2);
}

export function explainNoRoute(detail: Record<string, unknown> | undefined): string | null {
  const threshold = detail?.threshold;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) return null;
  const raw = Array.isArray(detail!.candidates) ? (detail!.candidates as Candidate[]) : [];
  const seen = new Set<string>();
  const cands: Array<{ intent: string; score: number }> = [];
  for (const c of raw) {
    if (typeof c?.intent !== 'string' || typeof c.score !== 'number' || seen.has(c.intent)) continue;
    seen.add(c.intent); // several instances of one intent score the same: show the intent once
    cands.push({ intent: c.intent, score: c.score });
  }
  cands.sort((a, b) => b.score - a.score);
  const judged = detail!.judge === 'none' ? ' (the model judged that none serves it)' : '';
  if (cands.length === 0) return `no route: no intent is registered (threshold ${fmt(threshold)})${judged}`;
  const [best, ...rest] = cands;
  const cmp = best!.score < threshold ? '<' : '>=';
  const next = rest.slice(0, SHOWN - 1).map((c) => `'${c.intent}' ${fmt(c.score)}`);
  return `no route: best '${best!.intent}' ${fmt(best!.score)} ${cmp} threshold ${fmt(threshold)}${next.length > 0 ? ` (next ${next.join(', ')})` : ''}${judged}`;
}

// A plan as a DOT graph: one node per step labelled with its id, intent and state (filled by state), one edge per
// dependency. Labels are escaped; ids come from validated plans.
import type { PlanView, StepState } from '@aios/abi';

const COLOR: Record<StepState, string> = {
  pending: 'white', running: 'lightblue', waiting: 'gold', done: 'palegreen', failed: 'salmon', skipped: 'lightgrey', cancelled: 'grey',
};

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function planDot(v: PlanView): string {
  const lines = [`digraph ${q(`plan ${v.id}`)} {`, `  label=${q(`${v.goal} [${v.state}]`)};`, '  node [shape=box, style=filled];'];
  for (const s of v.steps) lines.push(`  ${q(s.id)} [label=${q(`${s.id}\n${s.intent}\n${s.state}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}`)}, fillcolor=${COLOR[s.state]}];`);
  for (const s of v.steps) for (const a of s.after) lines.push(`  ${q(a)} -> ${q(s.id)};`);
  lines.push('}');
  return lines.join('\n');
}

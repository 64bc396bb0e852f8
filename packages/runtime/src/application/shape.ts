// The checks a workflow can make before it reaches the planner (which validates again, fully): unique step ids and
// dependencies that name steps of the workflow. EINVAL naming the step.
import { AiosError, type PlanJson } from '@aios/abi';

export function validatePlanShape(plan: PlanJson): void {
  const ids = new Set<string>();
  for (const s of plan.steps) {
    if (ids.has(s.id)) throw new AiosError('EINVAL', `workflow step ${s.id} is defined twice`, { step: s.id });
    ids.add(s.id);
  }
  for (const s of plan.steps) {
    for (const a of s.after ?? []) if (!ids.has(a)) throw new AiosError('EINVAL', `workflow step ${s.id} comes after unknown step ${a}`, { step: s.id, unknown: a });
  }
}

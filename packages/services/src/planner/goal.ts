// Making plans from goals. With a real model: the model device is asked for a plan constrained to a JSON schema
// built from the intents registered right now (names, descriptions, input schemas); the answer is validated
// (plan shape, known intent names, inputs against their schemas) and sent back for repair with the reasons, at
// most MAX_REPAIRS times, then refused (EINVAL). Offline: an honest clause splitter that says what it is: the goal
// is cut into clauses, each matched to an intent by semantic-ipcd (by meaning), inputs filled from the clause where
// the input schema allows. Both take their model and router as functions, so tests script them.

import { AiosError, type MadePlan, type PlanJson, type PlanStep } from '@aios/abi';
import { validatePlan } from './validate.ts';
import { validateSchema } from '../semantic-ipcd/schema.ts';

/** A registered intent as semantic-ipcd lists it (the fields the planner uses). */
export interface IntentInfo {
  intent: string;
  description?: string;
  examples?: string[];
  input?: unknown;
}

export type Complete = (system: string, user: string) => Promise<string>;
export type Match = (text: string) => Promise<{ intent: string; score: number } | null>;

/** Repair rounds after the model's first answer. */
export const MAX_REPAIRS = 2;

/** The JSON schema of a plan over the given intents (each step's input constrained by its intent's schema). */
export function planSchema(intents: IntentInfo[]): Record<string, unknown> {
  const names = [...new Set(intents.map((i) => i.intent))];
  const variants = names.map((name) => {
    const it = intents.find((i) => i.intent === name)!;
    return {
      type: 'object',
      required: ['id', 'intent'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
        intent: { const: name },
        ...(it.input !== undefined ? { input: it.input } : {}),
        after: { type: 'array', items: { type: 'string' } },
        approval: { type: 'boolean' },
        retries: { type: 'integer', minimum: 0, maximum: 10 },
      },
    };
  });
  return { type: 'object', required: ['goal', 'steps'], properties: { goal: { type: 'string' }, steps: { type: 'array', minItems: 1, items: { anyOf: variants } } } };
}

function promptFor(goal: string, intents: IntentInfo[]): string {
  const list = intents.map((i) => `- ${i.intent}: ${i.description ?? ''}${i.input !== undefined ? ` input schema ${JSON.stringify(i.input)}` : ''}`).join('\n');
  return [
    'You are the planner of an operating system for AI agents. Turn the user\'s goal into a plan: steps that each call one of the intents below.',
    'A step\'s input may use {"$step": "<id>"} to take the output of an earlier step listed in its "after".',
    'Answer with one JSON object only, matching this JSON Schema:',
    JSON.stringify(planSchema(intents)),
    'Intents available now:',
    list,
  ].join('\n');
}

/** Every reason a model's plan is not acceptable (empty: it is). */
export function planProblems(plan: unknown, intents: IntentInfo[]): string[] {
  let p: PlanJson;
  try {
    p = validatePlan(plan);
  } catch (e) {
    return [(e as Error).message];
  }
  const out: string[] = [];
  for (const s of p.steps) {
    const it = intents.find((i) => i.intent === s.intent);
    if (it === undefined) {
      out.push(`step ${s.id}: ${s.intent} is not a registered intent`);
      continue;
    }
    if (it.input !== undefined && !JSON.stringify(s.input ?? null).includes('"$step"')) {
      const errs = validateSchema(it.input, s.input);
      if (errs.length > 0) out.push(`step ${s.id}: input does not match the schema of ${s.intent}: ${JSON.stringify(errs).slice(0, 300)}`);
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  const m = text.match(/\{[\s\S]*\}/);
  if (m === null) return undefined;
  try {
    return JSON.parse(m[0]);
  } catch {
    return undefined;
  }
}

/** Asks the model for a plan and repairs or refuses an invalid one (EINVAL with the last reasons). */
export async function planWithModel(goal: string, intents: IntentInfo[], complete: Complete): Promise<MadePlan> {
  if (intents.length === 0) throw new AiosError('ENOROUTE', 'no intents are registered: nothing to plan with', { goal });
  const system = promptFor(goal, intents);
  const notes: string[] = [];
  let user = `Goal: ${goal}`;
  let problems: string[] = [];
  for (let round = 0; round <= MAX_REPAIRS; round++) {
    const answer = await complete(system, user);
    const plan = parseJson(answer);
    problems = plan === undefined ? ['the answer is not a JSON object'] : planProblems(plan, intents);
    if (problems.length === 0) {
      const p = validatePlan({ ...(plan as object), goal: typeof (plan as { goal?: unknown }).goal === 'string' ? (plan as { goal: string }).goal : goal });
      if (round > 0) notes.push(`the model's plan was repaired in ${round} round(s)`);
      return { plan: p, planner: 'model', notes };
    }
    notes.push(`round ${round + 1}: ${problems.join('; ')}`);
    user = `Goal: ${goal}\nYour previous answer was not a valid plan:\n${problems.map((x) => `- ${x}`).join('\n')}\nAnswer again with a corrected plan, JSON only.`;
  }
  throw new AiosError('EINVAL', `the model did not give a valid plan after ${MAX_REPAIRS} repairs`, { reason: problems.join('; '), problems, notes });
}

/** Splits a goal into clauses: sentences, then "then" / "and then" / "and" / "after that" / "finally". */
export function clauses(goal: string): string[] {
  return goal
    .split(/[.;\n]+|,?\s+(?:and then|then|after that|afterwards|finally|and)\s+/i)
    .map((c) => c.trim().replace(/^(?:first|then|finally)[,\s]+/i, ''))
    .filter((c) => c.length > 0);
}

/** Fills an input from a clause where the schema allows: a string, a number, or an object of such fields (no schema: the clause). */
export function fillInput(schema: unknown, clause: string): { input?: unknown; filled: boolean } {
  if (schema === undefined) return { input: clause, filled: true }; // no schema: the handler takes anything; the clause is what we know
  const s = schema as { type?: unknown; properties?: Record<string, { type?: unknown }>; required?: string[] };
  const num = clause.match(/-?\d+(?:\.\d+)?/)?.[0];
  const scalar = (t: unknown): unknown => (t === 'string' ? clause : (t === 'number' || t === 'integer') && num !== undefined ? Number(num) : undefined);
  if (s.type === 'string' || s.type === 'number' || s.type === 'integer') {
    const v = scalar(s.type);
    return v === undefined ? { filled: false } : { input: v, filled: true };
  }
  if (s.type === 'object' && s.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(s.properties)) {
      const v = scalar(p?.type);
      if (v !== undefined) out[k] = v;
    }
    const missing = (s.required ?? []).filter((k) => !(k in out));
    return { input: out, filled: missing.length === 0 && validateSchema(schema, out).length === 0 };
  }
  return { filled: validateSchema(schema, undefined).length === 0 };
}

/** A clause that points back at the step before ("remember it", "translate the result"). */
const ANAPHORA = /\b(?:it|this|that|them|the result|the answer|the output)\b/i;

/**
 * The input of a step that refers to the step before: `{ $step: prev }` where the schema takes a string (or, with no
 * schema, as the whole input); an object schema gets it in each string field. undefined when nothing can take it.
 */
export function linkInput(schema: unknown, prev: string): unknown {
  const ref = { $step: prev };
  if (schema === undefined) return ref;
  const s = schema as { type?: unknown; properties?: Record<string, { type?: unknown }> };
  if (s.type === 'string') return ref;
  if (s.type === 'object' && s.properties) {
    const keys = Object.entries(s.properties).filter(([, p]) => p?.type === 'string').map(([k]) => k);
    return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, ref])) : undefined;
  }
  return undefined;
}

/** The offline planner: clauses matched to intents by meaning, in order, each after the one before. */
export async function planOffline(goal: string, intents: IntentInfo[], match: Match): Promise<MadePlan> {
  const notes = ['offline planner: no model is configured, so the goal was split into clauses and each clause was matched to a registered intent by meaning (semantic-ipcd); steps run in the order of the clauses, inputs are filled from the clause text where the input schema allows'];
  const steps: PlanStep[] = [];
  for (const c of clauses(goal)) {
    const m = await match(c);
    if (m === null) {
      notes.push(`no intent matches "${c}": left out`);
      continue;
    }
    const it = intents.find((i) => i.intent === m.intent);
    const prev = steps[steps.length - 1];
    const linked = prev !== undefined && ANAPHORA.test(c) ? linkInput(it?.input, prev.id) : undefined;
    const { input, filled } = linked !== undefined ? { input: linked, filled: true } : fillInput(it?.input, c);
    if (linked !== undefined) notes.push(`"${c}" refers to the step before: ${m.intent} takes the output of ${prev!.id}`);
    if (!filled) notes.push(`the input of ${m.intent} could not be filled from "${c}": the step will fail its schema unless you edit it`);
    const step: PlanStep = { id: `s${steps.length + 1}`, intent: m.intent, ...(input !== undefined ? { input } : {}) };
    if (steps.length > 0) step.after = [steps[steps.length - 1]!.id];
    steps.push(step);
  }
  if (steps.length === 0) throw new AiosError('ENOROUTE', 'no part of the goal matches a registered intent', { goal, clauses: clauses(goal) });
  return { plan: validatePlan({ goal, steps }), planner: 'offline', notes };
}

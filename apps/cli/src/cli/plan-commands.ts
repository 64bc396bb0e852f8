// `aios plan submit FILE | show ID | ls | approve ID STEP | reject ID STEP | cancel ID | graph ID | "GOAL TEXT"`:
// the planner's commands, over the running node's /v1/plans routes (api/plan-routes.ts). Output contracts (issue
// 14): submit prints the plan id alone on its last line (--json: { id }); show --json prints { id, goal, state,
// steps: [{ id, state, attempts, output?, error? }] }; a goal shows the plan made for it and runs it with --yes.

import { readFileSync } from 'node:fs';
import { AiosError, type MadePlan, type PlanSummary, type PlanView } from '@aios/abi';
import { resolveDataDir } from 'aios/offline';
import { connect } from './client.ts';
import { table } from './format.ts';
import { progressReporter } from './progress.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import type { Command, Io } from './commands.ts';

const ACTIONS = ['submit', 'show', 'ls', 'approve', 'reject', 'cancel', 'graph'] as const;

function brief(v: unknown, n = 60): string {
  const s = v === undefined ? '' : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A plan as text: its state, then one row per step. */
export function planText(v: PlanView): string {
  const rows = v.steps.map((s) => [s.id, s.intent, s.state, String(s.attempts), s.error ? `${s.error.code}: ${s.error.message}` : brief(s.output)]);
  return `plan ${v.id}: ${v.state}\ngoal: ${v.goal}\n${table([['STEP', 'INTENT', 'STATE', 'ATTEMPTS', 'OUTPUT/ERROR'], ...rows])}`;
}

function madeText(m: MadePlan): string {
  const steps = m.plan.steps.map((s) => [s.id, s.intent, (s.after ?? []).join(',') || '-', s.input === undefined ? '-' : brief(s.input), s.approval ? 'approval' : '']);
  return [`plan for: ${m.plan.goal} (${m.planner} planner)`, ...m.notes.map((n) => `note: ${n}`), table([['STEP', 'INTENT', 'AFTER', 'INPUT', ''], ...steps])].join('\n');
}

const TERMINAL = ['done', 'failed', 'cancelled'];
/** Step states that count as finished for the progress line. */
const TERMINAL_STEP = ['done', 'failed', 'skipped', 'cancelled'];

/** Follows a plan until it ends (or waits for approval), printing each change of state. */
async function follow(c: ReturnType<typeof connect>, id: string, io: Io, json: boolean): Promise<PlanView> {
  let since = 0;
  let last = '';
  // In a terminal: steps finished out of all, on stderr, between the state lines.
  const bar = progressReporter(`plan ${id}`, { json });
  try {
    for (;;) {
      const v = await c.request<PlanView>('GET', `/v1/plans/${encodeURIComponent(id)}/watch?since=${since}&waitMs=20000`);
      since = v.version;
      const line = `${v.state}: ${v.steps.map((s) => `${s.id}=${s.state}`).join(' ')}`;
      if (!json && line !== last) {
        bar.clear();
        io.out(line);
      }
      last = line;
      if (TERMINAL.includes(v.state) || v.state === 'waiting') return v;
      bar.update(v.steps.filter((s) => TERMINAL_STEP.includes(s.state)).length, v.steps.length);
    }
  } finally {
    bar.end();
  }
}

export const PLAN_COMMANDS: Record<string, Command> = {
  plan: {
    summary: 'durable plans (the planner): submit FILE, show ID, ls, approve ID STEP, reject ID STEP, cancel ID, graph ID, or "GOAL TEXT"',
    usage: 'aios plan submit FILE|show ID|ls|approve ID STEP|reject ID STEP|cancel ID|graph ID [--json]   |   aios plan "GOAL TEXT" [--yes] [--json]',
    options: {
      ...COMMON_OPTS, ...JSON_OPT,
      yes: { type: 'boolean', short: 'y', help: 'with a goal: submit the plan made for it and follow it' },
      state: { type: 'string', help: 'ls: only plans in this state' },
    },
    positionals: 1,
    notes: ['A plan file is JSON: { "goal": TEXT, "steps": [ { "id", "intent", "input"?, "after"?, "retries"?, "timeoutMs"?, "approval"? } ] }.'],
    async run(v, [action, a1, a2], io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      const json = v.json === true;
      const need = (x: string | undefined, what: string): string => {
        if (!x) throw new AiosError('EINVAL', `aios plan ${action} needs ${what}`, { arg: what });
        return x;
      };
      if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
        // A goal: make a plan, show it, run it with --yes.
        const goal = [action, a1, a2].filter((x) => x !== undefined).join(' ');
        const made = await c.request<MadePlan>('POST', '/v1/plans/make', { goal, ...(v.yes ? { submit: true } : {}) });
        if (json && !v.yes) {
          io.out(JSON.stringify(made));
          return 0;
        }
        if (!json) io.out(madeText(made));
        if (!v.yes) {
          io.out('(not run: add --yes to run it)');
          return 0;
        }
        const end = await follow(c, made.id!, io, json);
        if (json) io.out(JSON.stringify({ ...made, result: end }));
        else io.out(planText(end));
        io.out(made.id!);
        return end.state === 'failed' ? 1 : 0;
      }
      if (action === 'submit') {
        const file = need(a1, 'a plan FILE');
        let plan: unknown;
        try {
          plan = JSON.parse(readFileSync(file, 'utf8'));
        } catch (e) {
          throw new AiosError('EINVAL', `cannot read a JSON plan from ${file}: ${(e as Error).message}`, { arg: 'file' });
        }
        const r = await c.request<{ id: string }>('POST', '/v1/plans', { plan });
        io.out(json ? JSON.stringify({ id: r.id }) : r.id);
        return 0;
      }
      if (action === 'ls') {
        const rows = await c.request<PlanSummary[]>('GET', `/v1/plans${typeof v.state === 'string' ? `?state=${encodeURIComponent(v.state)}` : ''}`);
        io.out(json ? JSON.stringify(rows) : table([['PLAN', 'STATE', 'DONE', 'GOAL'], ...rows.map((r) => [r.id, r.state, `${r.done}/${r.steps}`, brief(r.goal, 60)])]));
        return 0;
      }
      const id = encodeURIComponent(need(a1, 'a plan ID'));
      if (action === 'show') {
        const p = await c.request<PlanView>('GET', `/v1/plans/${id}`);
        io.out(json ? JSON.stringify(p) : planText(p));
        return 0;
      }
      if (action === 'graph') {
        const g = await c.request<{ dot: string }>('GET', `/v1/plans/${id}/graph`);
        io.out(json ? JSON.stringify(g) : g.dot);
        return 0;
      }
      if (action === 'cancel') {
        const p = await c.request<PlanView>('POST', `/v1/plans/${id}/cancel`);
        io.out(json ? JSON.stringify(p) : planText(p));
        return 0;
      }
      const step = encodeURIComponent(need(a2, 'a STEP'));
      const p = await c.request<PlanView>('POST', `/v1/plans/${id}/steps/${step}/${action}`);
      io.out(json ? JSON.stringify(p) : planText(p));
      return 0;
    },
  },
};

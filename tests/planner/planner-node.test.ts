// The planner as a service of a node: initd starts it, plans run through semantic-ipcd under the submitter's
// identity (a step the submitter could not ask itself is EACCES), with retries, approval and parallel branches.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, type AiosNode } from 'aios';
import type { PlanView } from '@aios/abi';
import { until } from '../semantic/helpers.ts';

const F = join(import.meta.dirname, 'fixtures');
let node: AiosNode;
let planner: number;

const finished = (id: string, states = ['done', 'failed', 'cancelled']) =>
  until(() => node.host.request<PlanView>(planner, { op: 'show', planId: id }), (v) => states.includes(v.state), `plan ${id} to reach ${states.join('|')}`, 800);

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aios-planner-'));
  mkdirSync(join(dataDir, 'units'));
  // semantic-ipcd's allow policy: 'limited' may reach plan.echo only; the host and the planner reach everything.
  writeFileSync(join(dataDir, 'units', 'semantic-ipcd.json'), JSON.stringify({ name: 'semantic-ipcd', opts: { domain: 'native', config: { allow: [
    { from: 'limited', intents: ['plan.echo'] }, { from: 'planner', intents: ['*'] }, { from: 'root', intents: ['*'] }, { from: '', intents: ['*'] },
  ] } } }));
  node = await boot({ dataDir, config: { services: true } });
  planner = await until(() => node.host.find('planner').id, (id) => id > 0, 'the planner to start');
  await node.host.spawn(join(F, 'steps.ts'), { devices: ['storage'] });
  const sipc = node.host.find('semantic-ipcd').id;
  await until(() => node.host.request<unknown[]>(sipc, { op: 'intents' }), (rows) => rows.length >= 5, 'the step intents to register');
}, 120_000);

afterAll(async () => {
  await node?.shutdown();
});

describe('planner - the planner service on a node', () => {
  it('planner - initd runs the planner unit: svc ls shows it active', async () => {
    const rows = await node.host.request<Array<{ name: string; state: string }>>(node.initd!, { op: 'ls' });
    expect(rows.find((r) => r.name === 'planner')?.state).toBe('active');
  });

  it('planner - a plan with parallel branches, $step references, a retried step and an approval step runs to done', async () => {
    const { id } = await node.host.request<{ id: string }>(planner, { op: 'submit', plan: { goal: 'add and check', steps: [
      { id: 'a', intent: 'plan.add', input: { a: 1, b: 2 } },
      { id: 'b', intent: 'plan.add', input: { a: 10, b: 20 } },
      { id: 'sum', intent: 'plan.add', input: { a: { $step: 'a' }, b: { $step: 'b' } }, after: ['a', 'b'] },
      { id: 'flaky', intent: 'plan.flaky', retries: 2, after: ['sum'] },
      { id: 'gate', intent: 'plan.echo', input: { total: { $step: 'sum' } }, approval: true, after: ['flaky'] },
    ] } });
    const waiting = await finished(id, ['waiting']);
    expect(waiting.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'waiting']);
    expect(waiting.steps[2]!.output).toBe(33);
    expect(waiting.steps[3]).toMatchObject({ attempts: 2, output: 'ok on attempt 2' });
    const ap = await node.host.request<PlanView>(planner, { op: 'approve', planId: id, step: 'gate' });
    expect(['running', 'done']).toContain(ap.state);
    const v = await finished(id);
    expect(v.state).toBe('done');
    expect(v.steps[4]!.output).toMatchObject({ value: { total: 33 }, attempt: 1, stepKey: `${id}/gate` });
    const dot = await node.host.request<{ dot: string }>(planner, { op: 'graph', planId: id });
    expect(dot.dot).toContain('"sum" -> "flaky"');
    const ls = await node.host.request<Array<{ id: string; state: string }>>(planner, { op: 'ls' });
    expect(ls.find((p) => p.id === id)?.state).toBe('done');
  });

  it('planner - an invalid plan is EINVAL with the reason and nothing starts', async () => {
    const before = (await node.host.request<unknown[]>(planner, { op: 'ls' })).length;
    await expect(node.host.request(planner, { op: 'submit', plan: { goal: 'g', steps: [{ id: 'a', intent: 'plan.echo', after: ['b'] }, { id: 'b', intent: 'plan.echo', after: ['a'] }] } }))
      .rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/cycle/) });
    expect((await node.host.request<unknown[]>(planner, { op: 'ls' })).length).toBe(before);
  });

  it('planner - a step the submitter could not ask itself is EACCES: the planner never widens rights', async () => {
    const plan = { goal: 'reach the secret', steps: [{ id: 's', intent: 'plan.secret' }] };
    const id = await node.host.spawn(join(F, 'limited.ts'), { config: { plan } });
    const lines = await until(() => node.logs(id), (l) => l.some((x) => x.includes('PLAN ')), 'the limited agent to report', 800);
    expect(lines.find((l) => l.includes('ASK '))).toContain('ASK EACCES');
    const out = JSON.parse(lines.find((l) => l.includes('PLAN '))!.split('PLAN ')[1]!) as { state: string; steps: Array<{ code: string | null }> };
    expect(out.state).toBe('failed');
    expect(out.steps[0]!.code).toBe('EACCES');
    // The host (the operator) may reach it: the same plan runs to done.
    const { id: ok } = await node.host.request<{ id: string }>(planner, { op: 'submit', plan });
    expect((await finished(ok)).steps[0]!.output).toBe('the secret');
  });

  it('planner - approve and reject are for operators only; agents see only their own plans', async () => {
    const { id } = await node.host.request<{ id: string }>(planner, { op: 'submit', plan: { goal: 'gate', steps: [{ id: 'g', intent: 'plan.echo', approval: true }, { id: 'n', intent: 'plan.echo', after: ['g'] }] } });
    await finished(id, ['waiting']);
    const v = await node.host.request<PlanView>(planner, { op: 'reject', planId: id, step: 'g' });
    expect(v.state).toBe('failed');
    expect(v.steps.map((s) => s.state)).toEqual(['failed', 'skipped']);
    expect(v.steps[0]!.error?.code).toBe('ECANCELED');
  });

  it('planner - the offline planner makes a plan from a goal and says what it is', async () => {
    const made = await node.host.request<{ plan: { steps: Array<{ intent: string; input?: unknown }> }; planner: string; notes: string[] }>(planner, { op: 'make', goal: 'add the numbers 2 and 3, then echo the input back' }, 60_000);
    expect(made.planner).toBe('offline');
    expect(made.notes[0]).toMatch(/offline planner/);
    expect(made.plan.steps.length).toBeGreaterThanOrEqual(1);
  });
});

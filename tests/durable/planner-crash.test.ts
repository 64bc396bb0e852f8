// The planner survives kill -9 of the node: a plan with parallel branches and an approval step, killed while
// branches run, resumes on the next boot on the same data folder. A step whose outcome was recorded never runs
// again; a step in flight may run again with the next attempt (ctx.attempt) and the same ctx.stepKey; the
// approval step still waits for an operator, and the plan ends done. Also the CLI contracts of `aios plan`.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt, tempDataDir } from '../e2e/cli-helpers.ts';
import { api, recordedKeys, startNode, type NodeProc } from './harness.ts';

const STEPS = join(ROOT, 'tests/planner/fixtures/steps.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function show(node: NodeProc, id: string): Promise<{ state: string; steps: Array<{ id: string; state: string; attempts: number; output?: unknown }> }> {
  return (await (await api(node, 'GET', `/v1/plans/${id}`)).json()) as never;
}

async function until(node: NodeProc, id: string, ok: (v: Awaited<ReturnType<typeof show>>) => boolean, what: string) {
  for (let i = 0; i < 600; i++) {
    try {
      const v = await show(node, id);
      if (ok(v)) return v;
    } catch {
      /* planner not up yet */
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('durable - the planner after kill -9', () => {
  it('durable - a plan with parallel branches and an approval step resumes after kill -9: recorded steps never run again', async () => {
    ensureBuilt();
    const dataDir = tempDataDir();
    let node = await startNode(dataDir);
    const sp = await api(node, 'POST', '/v1/agents', { path: STEPS, opts: { name: 'steps', durable: true, devices: ['storage'] } });
    expect(sp.status).toBe(201);
    for (let i = 0; i < 200; i++) {
      const rows = (await (await api(node, 'GET', '/v1/intents')).json()) as unknown[];
      if (Array.isArray(rows) && rows.length >= 5) break;
      await sleep(50);
    }
    // Two fast branches, two slow ones (killed in flight), a join, then an approval step and a last step.
    const plan = { goal: 'crash me', steps: [
      { id: 'fast1', intent: 'plan.echo', input: 1 },
      { id: 'fast2', intent: 'plan.echo', input: 2 },
      { id: 'slow1', intent: 'plan.wait', input: { ms: 3_000 }, after: ['fast1'] },
      { id: 'slow2', intent: 'plan.wait', input: { ms: 3_000 }, after: ['fast2'] },
      { id: 'join', intent: 'plan.echo', input: { a: { $step: 'fast1' }, b: { $step: 'fast2' } }, after: ['slow1', 'slow2'] },
      { id: 'gate', intent: 'plan.echo', input: 'go', approval: true, after: ['join'] },
      { id: 'last', intent: 'plan.echo', input: { $step: 'join' }, after: ['gate'] },
    ] };
    const file = join(dataDir, 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    // `aios plan submit FILE` prints the id alone on its last line.
    const out = execFileSync(process.execPath, [CLI, 'plan', 'submit', file, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
    const id = out.trim().split('\n').at(-1)!;
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    await until(node, id, (v) => v.steps.filter((s) => s.id.startsWith('slow')).every((s) => s.state === 'running'), 'the slow branches to run');
    await node.kill('SIGKILL');

    node = await startNode(dataDir);
    const waiting = await until(node, id, (v) => v.state === 'waiting', 'the plan to resume and wait for approval');
    const by = Object.fromEntries(waiting.steps.map((s) => [s.id, s]));
    expect(by.fast1).toMatchObject({ state: 'done', attempts: 1, output: { value: 1 } });
    expect(by.slow1).toMatchObject({ state: 'done', attempts: 2 });
    expect(by.slow2).toMatchObject({ state: 'done', attempts: 2 });
    expect(by.gate!.state).toBe('waiting');
    // `aios plan show ID --json` contract.
    const shown = JSON.parse(execFileSync(process.execPath, [CLI, 'plan', 'show', id, '--json', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' })) as Record<string, unknown>;
    expect(shown).toMatchObject({ id, goal: 'crash me', state: 'waiting' });
    execFileSync(process.execPath, [CLI, 'plan', 'approve', id, 'gate', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
    const done = await until(node, id, (v) => v.state === 'done' || v.state === 'failed', 'the plan to finish');
    expect(done.state).toBe('done');
    // last echoes join's output, which echoed the outputs of fast1 and fast2 ($step references, across the crash).
    expect(done.steps.find((s) => s.id === 'last')!.output).toMatchObject({ value: { value: { a: { value: 1 }, b: { value: 2 } } } });
    // Which runs happened (recorded by the step agent in the storage device): fast steps once, slow ones twice
    // with the same step key and attempts 1 and 2.
    const runs = (await recordedKeys(node)).filter((k) => k.startsWith(`run/${id}/`)).map((k) => k.slice(`run/${id}/`.length)).sort();
    expect(runs).toEqual(['fast1/1', 'fast2/1', 'gate/1', 'join/1', 'last/1', 'slow1/1', 'slow1/2', 'slow2/1', 'slow2/2']);
    const dot = execFileSync(process.execPath, [CLI, 'plan', 'graph', id, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
    expect(dot).toContain('"slow1" -> "join"');
    const svc = execFileSync(process.execPath, [CLI, 'svc', 'ls', '--json', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
    expect((JSON.parse(svc) as Array<{ name: string; state: string }>).find((u) => u.name === 'planner')?.state).toBe('active');
    await node.kill('SIGINT');
  }, 180_000);
});

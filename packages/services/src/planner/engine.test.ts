import { describe, expect, it } from 'vitest';
import type { KvEntry, KvOp } from '@aios/abi';
import { PlanEngine, type StepCall } from './engine.ts';
import { kvPlanStore } from './store.ts';

/** A DurableStore's scan/batch over a Map (what the storage device gives, minus the disk). */
function memKv() {
  const m = new Map<string, Uint8Array>();
  return {
    m,
    async scan(prefix: string): Promise<KvEntry[]> {
      return [...m.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value }));
    },
    async batch(ops: readonly KvOp[]) {
      for (const o of ops) if (o.op === 'put') m.set(o.key, o.value); else if (o.op === 'delete') m.delete(o.key);
      return ops.map(() => null);
    },
  };
}

function engine(kv: ReturnType<typeof memKv>, run: (c: StepCall) => Promise<unknown>, parallel?: number) {
  let n = 0;
  return new PlanEngine({
    store: kvPlanStore(kv), runStep: run, now: () => 0, later: (ms, fn) => setTimeout(fn, Math.min(ms, 5)), newId: () => `p${++n}`, ...(parallel ? { parallel } : {}),
  });
}

const settle = async (e: PlanEngine, id: string, states: string[]) => {
  for (let i = 0; i < 200; i++) {
    const v = e.view(id);
    if (states.includes(v.state)) return v;
    await new Promise((r) => setTimeout(r, 2));
  }
  return e.view(id);
};

describe('planner - engine', () => {
  it('planner - a plan with $step references runs in dependency order and passes outputs', async () => {
    const calls: StepCall[] = [];
    const e = engine(memKv(), async (c) => (calls.push(c), c.step.intent === 'add' ? (c.input as { a: number; b: number }).a + (c.input as { a: number; b: number }).b : 10));
    const id = await e.submit({ goal: 'g', steps: [
      { id: 'x', intent: 'ten' },
      { id: 'y', intent: 'ten' },
      { id: 'sum', intent: 'add', input: { a: { $step: 'x' }, b: { $step: 'y' } }, after: ['x', 'y'] },
    ] }, { agent: 1, name: 'root' });
    const v = await settle(e, id, ['done', 'failed']);
    expect(v.state).toBe('done');
    expect(v.steps.find((s) => s.id === 'sum')).toMatchObject({ state: 'done', attempts: 1, output: 20 });
    expect(calls.find((c) => c.step.id === 'sum')).toMatchObject({ stepKey: `${id}/sum`, attempt: 1, input: { a: 10, b: 10 } });
  });

  it('planner - invalid plans are EINVAL with the reason and nothing starts', async () => {
    let ran = 0;
    const e = engine(memKv(), async () => ++ran);
    const bad = [
      { goal: 'g', steps: [{ id: 'a', intent: 'x', after: ['b'] }, { id: 'b', intent: 'x', after: ['a'] }] },
      { goal: 'g', steps: [{ id: 'a', intent: 'x', after: ['nope'] }] },
      { goal: 'g', steps: [{ id: 'a', intent: 'x' }, { id: 'b', intent: 'x', input: { v: { $step: 'a' } } }] },
      { goal: 'g', steps: [] },
      { steps: [{ id: 'a', intent: 'x' }] },
    ];
    const reasons: string[] = [];
    for (const p of bad) {
      const err = await e.submit(p, { agent: 1, name: '' }).catch((x: unknown) => x as { code: string; detail: { reason: string } });
      expect(err).toMatchObject({ code: 'EINVAL' });
      reasons.push((err as { detail: { reason: string } }).detail.reason);
    }
    expect(reasons[0]).toMatch(/cycle/);
    expect(reasons[1]).toMatch(/unknown step nope/);
    expect(reasons[2]).toMatch(/does not come before/);
    expect(ran).toBe(0);
    expect(e.list(() => true)).toEqual([]);
  });

  it('planner - a failing step is retried with backoff, then fails the plan and skips its dependents', async () => {
    let flaky = 0;
    const e = engine(memKv(), async (c) => {
      if (c.step.id === 'flaky' && ++flaky < 3) throw Object.assign(new Error('boom'), { code: 'EIO' });
      if (c.step.id === 'bad') throw Object.assign(new Error('nope'), { code: 'EIO' });
      return c.attempt;
    });
    const ok = await e.submit({ goal: 'g', steps: [{ id: 'flaky', intent: 'x', retries: 2 }] }, { agent: 1, name: '' });
    expect((await settle(e, ok, ['done', 'failed'])).steps[0]).toMatchObject({ state: 'done', attempts: 3, output: 3 });
    const ko = await e.submit({ goal: 'g', steps: [{ id: 'bad', intent: 'x', retries: 1 }, { id: 'next', intent: 'x', after: ['bad'] }] }, { agent: 1, name: '' });
    const v = await settle(e, ko, ['done', 'failed']);
    expect(v.state).toBe('failed');
    expect(v.steps.map((s) => [s.id, s.state, s.attempts])).toEqual([['bad', 'failed', 2], ['next', 'skipped', 0]]);
    expect(v.steps[0]!.error).toMatchObject({ code: 'EIO' });
  });

  it('planner - an approval step waits until approved; a rejected one fails the plan', async () => {
    const e = engine(memKv(), async () => 'ok');
    const id = await e.submit({ goal: 'g', steps: [{ id: 'a', intent: 'x' }, { id: 'gate', intent: 'x', approval: true, after: ['a'] }] }, { agent: 1, name: '' });
    expect((await settle(e, id, ['waiting'])).steps.map((s) => s.state)).toEqual(['done', 'waiting']);
    await expect(e.decide(id, 'a', true)).rejects.toMatchObject({ code: 'EINVAL' });
    await e.decide(id, 'gate', true);
    expect((await settle(e, id, ['done'])).state).toBe('done');
    const id2 = await e.submit({ goal: 'g', steps: [{ id: 'gate', intent: 'x', approval: true }, { id: 'b', intent: 'x', after: ['gate'] }] }, { agent: 1, name: '' });
    await settle(e, id2, ['waiting']);
    const v = await e.decide(id2, 'gate', false);
    expect(v.state).toBe('failed');
    expect(v.steps.map((s) => s.state)).toEqual(['failed', 'skipped']);
  });

  it('planner - the parallelism limit bounds steps running at once', async () => {
    let now = 0;
    let peak = 0;
    const e = engine(memKv(), async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      return null;
    }, 4);
    const id = await e.submit({ goal: 'g', steps: Array.from({ length: 16 }, (_, i) => ({ id: `s${i}`, intent: 'x' })) }, { agent: 1, name: '' });
    expect((await settle(e, id, ['done'])).state).toBe('done');
    expect(peak).toBe(4);
  });

  it('planner - after a crash, recorded steps never run again and the in-flight one runs with the next attempt', async () => {
    const kv = memKv();
    const ran: string[] = [];
    let hang = true;
    const first = engine(kv, async (c) => {
      ran.push(`${c.step.id}#${c.attempt}`);
      if (c.step.id === 'b' && hang) return new Promise(() => undefined); // the node dies while b runs
      return c.step.id;
    });
    const id = await first.submit({ goal: 'g', steps: [{ id: 'a', intent: 'x' }, { id: 'b', intent: 'x', after: ['a'] }, { id: 'c', intent: 'x', after: ['b'] }] }, { agent: 1, name: '' });
    for (let i = 0; i < 100 && !ran.includes('b#1'); i++) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 5));
    hang = false;
    const ran2: string[] = [];
    const second = engine(kv, async (c) => (ran2.push(`${c.step.id}#${c.attempt}:${c.stepKey}`), c.step.id));
    expect(await second.recover()).toBe(1);
    const v = await settle(second, id, ['done']);
    expect(v.state).toBe('done');
    expect(ran2).toEqual([`b#2:${id}/b`, `c#1:${id}/c`]);
    expect(v.steps.map((s) => s.attempts)).toEqual([1, 2, 1]);
  });
});

import { describe, it, expect } from 'vitest';
import type { KernelEvent } from '@aios/abi';
import { BudgetLedger } from './budget.ts';

function setup() {
  const clock = { t: 1000, now() { return this.t; } };
  const events: KernelEvent[] = [];
  const ledger = new BudgetLedger(clock, (e) => events.push(e));
  const run = (id: number, tokens: number, cost = 0) => { ledger.admit(id, tokens, cost); ledger.settle(id, { tokens, cost }, { tokens, cost }); };
  return { clock, events, ledger, run };
}

describe('llm budget', () => {
  it('llm budget - warning at 80 %, EQUOTA at 100 % with resource, limit and used', () => {
    const { events, ledger, run } = setup();
    ledger.setBudget(1, { tokens: 100 });
    run(1, 70);
    expect(events).toHaveLength(0);
    run(1, 15);
    expect(events.map((e) => e.topic)).toEqual(['llm.budget.warning']);
    expect(events[0]!.data).toMatchObject({ agentId: 1, resource: 'llmTokens', limit: 100, used: 85 });
    run(1, 15);
    expect(events.map((e) => e.topic)).toEqual(['llm.budget.warning', 'llm.budget.exhausted']);
    expect(() => ledger.admit(1, 1, 0)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: expect.objectContaining({ resource: 'llmTokens', limit: 100, used: 100 }) }));
  });

  it('llm budget - cost limits work the same way', () => {
    const { ledger, run } = setup();
    ledger.setBudget(1, { cost: 1 });
    run(1, 10, 0.6);
    run(1, 10, 0.6);
    expect(() => ledger.admit(1, 1, 0.1)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: expect.objectContaining({ resource: 'llmCost', limit: 1 }) }));
  });

  it('llm budget - reservations of admitted requests count toward 100 %', () => {
    const { ledger } = setup();
    ledger.setBudget(1, { tokens: 100 });
    ledger.admit(1, 60, 0);
    ledger.admit(1, 60, 0);
    expect(() => ledger.admit(1, 1, 0)).toThrow(expect.objectContaining({ code: 'EQUOTA' }));
    ledger.settle(1, { tokens: 60, cost: 0 }, { tokens: 10, cost: 0 });
    expect(() => ledger.admit(1, 1, 0)).not.toThrow();
  });

  it('llm budget - the window resets when the period ends', () => {
    const { clock, events, ledger, run } = setup();
    ledger.setBudget(1, { tokens: 10, periodMs: 60_000 });
    run(1, 10);
    expect(() => ledger.admit(1, 1, 0)).toThrow(expect.objectContaining({ code: 'EQUOTA' }));
    clock.t += 60_000;
    expect(() => run(1, 9)).not.toThrow();
    expect(ledger.window(1)).toEqual({ tokens: 9, cost: 0, startedAt: 61_000, resetsAt: 121_000 });
    expect(events.filter((e) => e.topic === 'llm.budget.warning')).toHaveLength(2);
  });

  it('llm budget - children are charged to ancestors and may not exceed their limits', () => {
    const { ledger, run } = setup();
    ledger.setBudget(1, { tokens: 100 });
    ledger.setParent(2, 1);
    ledger.setParent(3, 1);
    expect(() => ledger.setBudget(2, { tokens: 200 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    ledger.setBudget(2, { tokens: 80 });
    run(2, 60);
    run(3, 40);
    expect(ledger.window(1).tokens).toBe(100);
    expect(() => ledger.admit(3, 1, 0)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: expect.objectContaining({ agentId: 1 }) }));
    expect(() => ledger.setParent(1, 3)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

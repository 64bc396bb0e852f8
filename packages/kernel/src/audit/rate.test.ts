import { describe, it, expect } from 'vitest';
import { AuditRateLimiter, type CoalescedSummary } from './rate.ts';

describe('audit rate - per-agent volume limit', () => {
  it('audit rate - past the window budget records are counted, then summarised once when the window ends', () => {
    const out: CoalescedSummary[] = [];
    const r = new AuditRateLimiter((s) => out.push(s), 3, 100);
    const admitted = [0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? r.admit(7, i, 'IPCSend', 'EPERM') : r.admit(7, i, 'IPCRecv', 'EAGAIN')));
    expect(admitted).toEqual([true, true, true, false, false, false]);
    expect(out).toEqual([]);
    // Another agent has its own budget, and its activity after the window flushes agent 7's summary.
    expect(r.admit(8, 150, 'x', 'ok')).toBe(true);
    expect(out).toEqual([{ agent: 7, dropped: 3, bySyscall: { 'IPCSend:EPERM': 2, 'IPCRecv:EAGAIN': 1 }, from: 3, to: 5 }]);
    expect(r.admit(7, 151, 'x', 'ok')).toBe(true); // a new window
    expect(out).toHaveLength(1);
  });

  it('audit rate - an exiting agent summarises what it owes', () => {
    const out: CoalescedSummary[] = [];
    const r = new AuditRateLimiter((s) => out.push(s), 1, 1_000);
    r.admit(3, 0, 'a', 'ok');
    r.admit(3, 1, 'a', 'ok');
    r.forget(3);
    expect(out).toEqual([{ agent: 3, dropped: 1, bySyscall: { 'a:ok': 1 }, from: 1, to: 1 }]);
    r.forget(3);
    expect(out).toHaveLength(1);
  });

  it('audit rate - each owing agent is summarised at the first activity after its own window, or when the clock goes back', () => {
    const out: CoalescedSummary[] = [];
    const r = new AuditRateLimiter((s) => out.push(s), 1, 100);
    r.admit(1, 0, 'a', 'ok');
    r.admit(1, 1, 'a', 'ok'); // agent 1 owes from its window [0, 100)
    r.admit(2, 50, 'b', 'ok');
    r.admit(2, 51, 'b', 'ok'); // agent 2 owes from its window [50, 150)
    r.admit(3, 99, 'c', 'ok');
    expect(out).toEqual([]);
    r.admit(1, 120, 'a', 'ok'); // agent 1's own new window: its summary
    expect(out.map((s) => s.agent)).toEqual([1]);
    r.admit(3, 140, 'c', 'ok'); // agent 2's window has not ended
    expect(out.map((s) => s.agent)).toEqual([1]);
    r.admit(3, 150, 'c', 'ok');
    expect(out.map((s) => s.agent)).toEqual([1, 2]);
    r.admit(4, 200, 'd', 'ok');
    r.admit(4, 201, 'd', 'ok'); // agent 4 owes from 200
    r.admit(5, 10, 'e', 'ok'); // the clock went back before the windows of agents 3 (owing since 140) and 4
    expect(out.map((s) => s.agent)).toEqual([1, 2, 3, 4]);
  });
});

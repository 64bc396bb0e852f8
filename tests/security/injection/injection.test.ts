// Injection containment: whatever a prompt-injected, unprivileged agent is made to try is refused by the kernel
// and audited, and the user's task still completes (24 cases over three channels; see cases.ts).
import { describe, expect, it } from 'vitest';
import { CASES } from './cases.ts';
import { runInjectionSuite, summarize } from './harness.ts';

describe('injection containment', () => {
  it('injection - every injected action is refused by the kernel, audited, and the user task completes', async () => {
    const results = await runInjectionSuite();
    expect(results.length).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    for (const r of results) {
      expect({ id: r.id, outcome: r.outcome, contained: r.contained }).toEqual({ id: r.id, outcome: r.outcome, contained: true });
      expect({ id: r.id, audited: r.audited }).toEqual({ id: r.id, audited: true });
      expect({ id: r.id, task: r.taskCompleted }).toEqual({ id: r.id, task: true });
    }
    const s = summarize(results);
    expect(s.escaped).toEqual([]);
    expect(new Set(results.map((r) => r.channel))).toEqual(new Set(['memory', 'tool', 'message']));
  }, 120_000);
});

import { describe, it, expect } from 'vitest';
import { BehaviorProfile, DEFAULT_BEHAVIOR } from './monitor.ts';

const T = { ...DEFAULT_BEHAVIOR, windowMs: 100, burstSpawns: 200 };

describe('behavior - profiles', () => {
  it('behavior - steady use never raises an alarm and keeps trust high', () => {
    const p = new BehaviorProfile();
    let t = 1;
    for (let w = 0; w < 20; w++) for (let i = 0; i < 100; i++) expect(p.observe((t += 1), i % 50 === 0, false, T)).toBeNull();
    expect(p.trust).toBeGreaterThan(0.9);
  });
  it('behavior - a sudden storm of denials after a calm history quarantines', () => {
    const p = new BehaviorProfile();
    let t = 1;
    for (let w = 0; w < 10; w++) for (let i = 0; i < 100; i++) p.observe((t += 1), false, false, T);
    const verdicts: string[] = [];
    for (let i = 0; i < 600; i++) {
      const v = p.observe(t, true, false, T);
      if (v) verdicts.push(v);
    }
    expect(verdicts).toContain('quarantine');
    expect(p.trust).toBeLessThan(1);
  });
  it('behavior - a burst of spawns is caught even without history', () => {
    const p = new BehaviorProfile();
    const verdicts: string[] = [];
    for (let i = 0; i < 250; i++) {
      const v = p.observe(5, false, true, T);
      if (v) verdicts.push(v);
    }
    expect(verdicts).toEqual(['quarantine']);
  });
});

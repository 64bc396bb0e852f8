import { describe, it, expect } from 'vitest';
import { explainNoRoute } from './no-route.ts';

describe('cli - explainNoRoute', () => {
  it('cli - names the best candidate, its score and the threshold, then up to two runners-up', () => {
    const s = explainNoRoute({
      threshold: 0.26,
      candidates: [
        { agent: 5, intent: 'greet', score: 0.12 },
        { agent: 4, intent: 'translate', score: 0.214 },
        { agent: 9, intent: 'translate', score: 0.214 },
        { agent: 6, intent: 'sum', score: 0.05 },
        { agent: 7, intent: 'weather', score: 0.01 },
      ],
    });
    expect(s).toBe("no route: best 'translate' 0.21 < threshold 0.26 (next 'greet' 0.12, 'sum' 0.05)");
  });

  it('cli - a judged refusal says so; an empty registry says so; no threshold means no explanation', () => {
    expect(explainNoRoute({ threshold: 0.3, candidates: [{ intent: 'a', score: 0.4 }], judge: 'none' })).toBe(
      "no route: best 'a' 0.40 >= threshold 0.30 (the model judged that none serves it)",
    );
    expect(explainNoRoute({ threshold: 0.3, candidates: [] })).toBe('no route: no intent is registered (threshold 0.30)');
    expect(explainNoRoute({ intent: 'x', candidates: [{ agent: 1, intent: 'y' }] })).toBeNull();
    expect(explainNoRoute(undefined)).toBeNull();
  });
});

// Tests of the incremental intent classifier (re-ranker of the router's shortlist).
import { describe, expect, it } from 'vitest';
import { IntentClassifier } from './classifier.ts';

const INTENTS: Record<string, string[]> = {
  card_lost: ['i lost my card', 'my card is lost somewhere', 'cannot find my card anywhere', 'card lost'],
  card_stolen: ['my card was stolen', 'someone stole my card', 'thief took my card', 'card stolen'],
  weather: ['will it rain today', 'weather forecast please', 'is it sunny outside'],
};

function fitted(order = Object.keys(INTENTS)): IntentClassifier {
  const c = new IntentClassifier(0);
  for (const k of order) c.add(k, INTENTS[k]!.map((t) => c.features(t, null, true)));
  return c;
}

function best(c: IntentClassifier, text: string, keys = Object.keys(INTENTS)): string {
  const x = c.features(text, null);
  return [...keys].sort((a, b) => c.score(b, x) - c.score(a, x) || (a < b ? -1 : 1))[0]!;
}

describe('semantic-ipcd classifier', () => {
  it('classifier - separates close intents: every registered example ranks its own intent first by a margin', () => {
    const c = fitted();
    for (const [k, ex] of Object.entries(INTENTS)) {
      for (const t of ex) {
        const x = c.features(t, null);
        const others = Object.keys(INTENTS).filter((o) => o !== k).map((o) => c.score(o, x));
        expect(c.score(k, x)).toBeGreaterThan(Math.max(...others));
      }
    }
    expect(best(c, 'somebody stole the card')).toBe('card_stolen');
    expect(best(c, 'where is my lost card')).toBe('card_lost');
  });

  it('classifier - refits on register and forgets on unregister', () => {
    const c = fitted(['card_lost', 'weather']);
    const x = c.features('someone stole my card', null);
    expect(c.score('card_stolen', x)).toBe(0);
    c.add('card_stolen', INTENTS.card_stolen!.map((t) => c.features(t, null, true)));
    expect(c.has('card_stolen')).toBe(true);
    const y = c.features('someone stole my card', null);
    expect(c.score('card_stolen', y)).toBeGreaterThan(c.score('card_lost', y));
    c.remove('card_stolen');
    expect(c.has('card_stolen')).toBe(false);
    expect(c.size).toBe(2);
    expect(c.score('card_stolen', y)).toBe(0);
    expect(best(c, 'someone stole my card', ['card_lost', 'weather'])).toBe('card_lost');
  });

  it('classifier - deterministic: the same sequence of registrations gives the same scores', () => {
    const a = fitted();
    const b = fitted();
    for (const t of ['my card was taken', 'rain tomorrow?', 'lost it']) {
      for (const k of Object.keys(INTENTS)) expect(a.score(k, a.features(t, null))).toBe(b.score(k, b.features(t, null)));
    }
  });

  it('classifier - a request of unknown words scores zero everywhere (the router refuses it on the hybrid score)', () => {
    const c = fitted();
    const x = c.features('zzzz qqqq', null);
    expect(x.ids.length).toBe(0);
    for (const k of Object.keys(INTENTS)) expect(c.score(k, x)).toBe(0);
  });
});

describe('semantic-ipcd refusal rule', () => {
  it('threshold - the registry rule refuses LOO_OOS_RECALL_TARGET of the unregistered samples, floored by the in-scope own scores', async () => {
    const { registryThreshold, LOO_OOS_RECALL_TARGET, LOO_IN_SCOPE_FLOOR, MIN_REGISTRY_THRESHOLD } = await import('./router.ts');
    // Crowded registry: "unregistered" scores spread 0.30..0.69, own scores high; the quantile decides.
    const crowded = Array.from({ length: 40 }, (_, i) => ({ own: 0.4 + i / 200, other: 0.3 + i / 100 }));
    const t = registryThreshold(crowded);
    const refused = crowded.filter((s) => s.other < t).length / crowded.length;
    expect(refused).toBeGreaterThanOrEqual(LOO_OOS_RECALL_TARGET);
    expect(refused).toBeLessThan(LOO_OOS_RECALL_TARGET + 0.05);
    // Small registry: "unregistered" scores all tiny; the own-score floor decides.
    const small = Array.from({ length: 40 }, (_, i) => ({ own: 0.3 + i / 100, other: 0.05 }));
    const f = registryThreshold(small);
    const rejectedOwn = small.filter((s) => s.own < f).length / small.length;
    expect(rejectedOwn).toBeGreaterThanOrEqual(LOO_IN_SCOPE_FLOOR - 0.01);
    expect(f).toBeGreaterThan(0.3);
    // Nothing informative: the floor constant.
    expect(registryThreshold([{ own: 0.01, other: 0.0 }])).toBe(MIN_REGISTRY_THRESHOLD);
  });
});

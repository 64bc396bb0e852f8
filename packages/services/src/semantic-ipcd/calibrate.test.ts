// Tests of threshold calibration and of the shipped data set's shape.
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, evaluateThreshold, loadIntentDataset, parseIntentDataset, shippedDataset, splitDataset } from './index.ts';

describe('semantic-ipcd calibrate', () => {
  it('calibrate - separable scores give a threshold between the two groups and perfect figures', () => {
    const c = calibrateThreshold([{ score: 0.8, correct: true }, { score: 0.9, correct: true }], [0.1, 0.3]);
    expect(c.threshold).toBeGreaterThan(0.3);
    expect(c.threshold).toBeLessThan(0.8);
    expect(c.inScopeAccuracy).toBe(1);
    expect(c.oosRecall).toBe(1);
  });

  it('calibrate - wrong top-1 answers count as misses whatever the threshold', () => {
    const e = evaluateThreshold([{ score: 0.9, correct: false }, { score: 0.9, correct: true }], [0.2], 0.5);
    expect(e).toEqual({ threshold: 0.5, inScopeAccuracy: 0.5, oosRecall: 1 });
    expect(evaluateThreshold([], [], 0.5)).toEqual({ threshold: 0.5, inScopeAccuracy: 0, oosRecall: 0 });
  });
});

describe('semantic-ipcd data set', () => {
  it('dataset - has >= 40 intents of >= 20 unique utterances, >= 200 out-of-scope, disjoint splits', () => {
    const ds = loadIntentDataset();
    expect(ds.intents.length).toBeGreaterThanOrEqual(40);
    const all = new Set<string>();
    for (const it of ds.intents) {
      expect(it.description.length).toBeGreaterThan(10);
      expect(it.utterances.length).toBeGreaterThanOrEqual(20);
      for (const u of it.utterances) {
        expect(all.has(u)).toBe(false);
        all.add(u);
      }
    }
    expect(ds.outOfScope.length).toBeGreaterThanOrEqual(200);
    for (const u of ds.outOfScope) expect(all.has(u)).toBe(false);
    const s = splitDataset(ds);
    const ex = new Set(ds.intents.flatMap((it) => s.examples(it, 10)));
    for (const r of [...s.dev, ...s.test]) expect(ex.has(r.text)).toBe(false);
    const dev = new Set(s.dev.map((r) => r.text));
    for (const r of s.test) expect(dev.has(r.text)).toBe(false);
    expect(s.oosDev.length + s.oosTest.length).toBe(ds.outOfScope.length);
    expect(s.test.length).toBeGreaterThanOrEqual(ds.intents.length * 6);
  });
});

describe('semantic-ipcd data set checks', () => {
  it('dataset - the bundled copy equals the file; malformed data sets are EINVAL, never a TypeError', () => {
    expect(shippedDataset()).toEqual(loadIntentDataset());
    const split = { examplePool: 1, devPerIntent: 1, oosDev: 0 };
    const ok = { intents: [{ name: 'a', description: 'd', utterances: ['x', 'y', 'z'] }], outOfScope: ['o'], split };
    expect(parseIntentDataset(ok).intents).toHaveLength(1);
    for (const bad of [null, 7, {}, { ...ok, intents: [null] }, { ...ok, intents: [{ name: 'a', description: 'd', utterances: ['x', 2, 'z'] }] },
      { ...ok, outOfScope: [1] }, { ...ok, split: null }, { ...ok, split: { ...split, oosDev: -1 } }, { ...ok, intents: [{ name: 'a', description: 'd', utterances: ['x', 'y'] }] }]) {
      expect(() => parseIntentDataset(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
  });
});

import { createWinkEmbedder } from '../packages/drivers/src/embedder-wink/index.ts';
import { HybridIndex, DEFAULT_SCORER_WEIGHTS, type SlotInput } from '../packages/services/src/semantic-ipcd/scorer.ts';
import { LexicalVocabulary, termCounts } from '../packages/services/src/semantic-ipcd/lexical.ts';
import { calibrateThreshold, evaluateThreshold } from '../packages/services/src/semantic-ipcd/calibrate.ts';
import { loadIntentSet, fewShot } from './lib/intent-sets.ts';
const W = process.env.W ? JSON.parse(process.env.W) : DEFAULT_SCORER_WEIGHTS;
const useVec = process.env.NOVEC !== '1';
const wink = createWinkEmbedder(); wink.open();
for (const set of ['hwu64', 'banking77']) {
  const ds = loadIntentSet(set)!;
  for (const k of [10]) {
    const sp = fewShot(ds, k);
    const vocab = new LexicalVocabulary();
    const slots: SlotInput[] = sp.registered.map((it) => {
      const ex = it.examples.map(termCounts);
      ex.forEach((c) => vocab.add(c));
      return { exampleTerms: ex, descTerms: termCounts(it.description), rows: useVec ? it.examples.map((e) => wink.embedSync(e)) : [], desc: useVec ? wink.embedSync(it.description) : null };
    });
    let t = performance.now();
    const idx = new HybridIndex(slots, vocab, useVec ? wink.dim : 0, W);
    const packMs = performance.now() - t;
    t = performance.now();
    const loo = idx.looSamples(400);
    const looMs = performance.now() - t;
    const cal = calibrateThreshold(loo.map((s) => ({ score: Math.max(s.own, s.other), correct: s.own >= s.other })), loo.map((s) => s.other));
    const top = (text: string) => { const s = idx.score(text, useVec ? wink.embedSync(text) : null, 1)[0]!; return { intent: sp.registered[s.slot]!.name, score: s.score }; };
    const inS = sp.inScope.map((r) => { const x = top(r.text); return { score: x.score, correct: x.intent === r.intent }; });
    const oos = sp.outOfScope.map((t) => top(t).score);
    const at = evaluateThreshold(inS, oos, cal.threshold);
    const best = calibrateThreshold(inS, oos);
    const top1 = inS.filter((s) => s.correct).length / inS.length;
    console.log(set, k, JSON.stringify({ top1: +top1.toFixed(3), thr: +cal.threshold.toFixed(3), looAcc: +cal.inScopeAccuracy.toFixed(3), looRec: +cal.oosRecall.toFixed(3), acc: +at.inScopeAccuracy.toFixed(3), rec: +at.oosRecall.toFixed(3), oracleThr: +best.threshold.toFixed(3), oAcc: +best.inScopeAccuracy.toFixed(3), oRec: +best.oosRecall.toFixed(3), packMs: Math.round(packMs), looMs: Math.round(looMs) }));
  }
}

// Threshold calibration for the intent router: picks the refusal threshold that maximises in-scope accuracy +
// out-of-scope recall on a dev split. Pure; trusts nothing but the numbers it is given.

/** One in-scope dev utterance: the router's best score and whether the best intent was the right one. */
export interface CalibrationSample {
  score: number;
  correct: boolean;
}

export interface Calibration {
  threshold: number;
  /** Share of in-scope samples routed to the right intent with score >= threshold. */
  inScopeAccuracy: number;
  /** Share of out-of-scope scores below the threshold (refused). */
  oosRecall: number;
}

/** Accuracy and recall of a given threshold (a score equal to the threshold is accepted). */
export function evaluateThreshold(inScope: readonly CalibrationSample[], outOfScope: readonly number[], threshold: number): Calibration {
  let ok = 0;
  for (const s of inScope) if (s.correct && s.score >= threshold) ok++;
  let refused = 0;
  for (const s of outOfScope) if (s < threshold) refused++;
  return {
    threshold,
    inScopeAccuracy: inScope.length ? ok / inScope.length : 0,
    oosRecall: outOfScope.length ? refused / outOfScope.length : 0,
  };
}

/**
 * Threshold maximising inScopeAccuracy + oosRecall (ties: the middle of the best run of candidates, for a
 * margin on both sides). Candidates are midpoints between consecutive distinct observed scores, plus the ends.
 */
export function calibrateThreshold(inScope: readonly CalibrationSample[], outOfScope: readonly number[]): Calibration {
  const all = [...inScope.map((s) => s.score), ...outOfScope].filter(Number.isFinite).sort((a, b) => a - b);
  const uniq = all.filter((v, i) => i === 0 || v !== all[i - 1]);
  const cands: number[] = [];
  if (uniq.length === 0) return evaluateThreshold(inScope, outOfScope, 0);
  cands.push(uniq[0]! - 1e-6);
  for (let i = 1; i < uniq.length; i++) cands.push((uniq[i - 1]! + uniq[i]!) / 2);
  cands.push(uniq[uniq.length - 1]! + 1e-6);
  let bestVal = -1;
  let runStart = 0;
  let runEnd = 0;
  for (let i = 0; i < cands.length; i++) {
    const c = evaluateThreshold(inScope, outOfScope, cands[i]!);
    const v = c.inScopeAccuracy + c.oosRecall;
    if (v > bestVal + 1e-12) { bestVal = v; runStart = i; runEnd = i; } else if (Math.abs(v - bestVal) <= 1e-12 && runEnd === i - 1) runEnd = i;
  }
  const t = (cands[runStart]! + cands[runEnd]!) / 2;
  return evaluateThreshold(inScope, outOfScope, t);
}

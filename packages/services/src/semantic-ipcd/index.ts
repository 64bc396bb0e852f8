// Public surface of the semantic intent router library (subpath "@aios/services/semantic-ipcd").
export { IntentRouter, registryThreshold, LOO_OOS_RECALL_TARGET, LOO_IN_SCOPE_FLOOR, CLASSIFIER_WEIGHT, DEFAULT_THRESHOLD, MAX_LOO_SAMPLES, MIN_LOO_SAMPLES, MIN_REGISTRY_THRESHOLD, DEFAULT_SHORTLIST, EXAMPLE_BLEND, DESCRIPTION_WEIGHT, MAX_EXAMPLES, MAX_TEXT_CHARS } from './router.ts';
export type { IntentRouterOptions, RouteMatch, RouteOptions, RouteResult, RouterThresholdSource, ThresholdInfo } from './router.ts';
export { IntentClassifier } from './classifier.ts';
export { HybridIndex, DEFAULT_SCORER_WEIGHTS } from './scorer.ts';
export type { ScorerWeights, LooSample } from './scorer.ts';
export { LexicalVocabulary, termCounts, words, sparseDot, DEFAULT_LEXICAL_WEIGHTS } from './lexical.ts';
export { RouteJudge, readJudgeConfig, judgePrompt, parseVerdict, DEFAULT_JUDGE_CONFIG } from './judge.ts';
export type { JudgeConfig, JudgeStats, Verdict, JudgeCandidate, JudgeComplete } from './judge.ts';
export { calibrateThreshold, evaluateThreshold } from './calibrate.ts';
export type { Calibration, CalibrationSample } from './calibrate.ts';
export { parseIntentDataset, splitDataset } from './dataset.ts';
export { loadIntentDataset, DATASET_URL } from './dataset-file.ts';
export { shippedDataset } from './shipped.ts';
export { calibrateForEmbedder } from './autotune.ts';
export type { AutotuneOptions, AutotuneResult } from './autotune.ts';
export type { DatasetSplit, IntentDataset, LabelledIntent } from './dataset.ts';

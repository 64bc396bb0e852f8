// Public surface of the offline llm stand-in (a rule-based driver, not a model).
export { createOfflineDriver, OFFLINE_MODEL } from './driver.ts';
export type { OfflineDriverOptions, SleepPort } from './driver.ts';
export { estimateTokens, estimatePromptTokens, splitWords } from './tokens.ts';
export { answerByRule, firstSentence } from './rules.ts';

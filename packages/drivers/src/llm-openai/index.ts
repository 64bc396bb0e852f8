// Public surface of the OpenAI-compatible chat driver and the env-based driver choice.
export { createOpenAIChatDriver } from './driver.ts';
export type { OpenAIChatDriverOptions } from './driver.ts';
export { driverFromEnv } from './env.ts';
export type { LlmEnv } from './env.ts';
export { readSseData } from './sse.ts';

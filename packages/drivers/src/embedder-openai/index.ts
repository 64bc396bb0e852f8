// Public surface of the OpenAI-compatible embedder (subpath "@aios/drivers/embedder-openai").
export { createOpenAIEmbedder } from './embedder.ts';
export type { OpenAIEmbedder, OpenAIEmbedderOptions } from './embedder.ts';
export { embedderFromEnv } from './env.ts';
export type { EmbedEnv } from './env.ts';

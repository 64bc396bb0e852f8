// Picks the node's llm driver from the environment: an OpenAI-compatible server when
// AIOS_LLM_BASE_URL is set, else the offline stand-in. Reads only the env object it is given.
import { AiosError } from '@aios/abi';
import { positiveIntVar, type Env } from '../env-vars.ts';
import type { LlmDriver } from '@aios/abi';
import { createOfflineDriver } from '../llm-offline/driver.ts';
import { createOpenAIChatDriver } from './driver.ts';

export type LlmEnv = Env;

/**
 * AIOS_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1), AIOS_LLM_MODEL (required with a base URL),
 * AIOS_LLM_API_KEY, AIOS_LLM_SLOTS (positive integer), AIOS_LLM_PIPELINE (0 or more: requests queued at the
 * server beyond the slots, default 2), AIOS_LLM_TIMEOUT_MS. Bad values give EINVAL.
 */
export function driverFromEnv(env: LlmEnv): LlmDriver {
  const slots = positiveIntVar(env, 'AIOS_LLM_SLOTS');
  const baseURL = env.AIOS_LLM_BASE_URL?.trim();
  if (baseURL === undefined || baseURL === '') return createOfflineDriver(slots === undefined ? {} : { slots });
  const model = env.AIOS_LLM_MODEL?.trim();
  if (model === undefined || model === '') throw new AiosError('EINVAL', 'AIOS_LLM_MODEL must be set with AIOS_LLM_BASE_URL', { env: 'AIOS_LLM_MODEL' });
  const apiKey = env.AIOS_LLM_API_KEY;
  const timeoutMs = positiveIntVar(env, 'AIOS_LLM_TIMEOUT_MS');
  const pipelineRaw = env.AIOS_LLM_PIPELINE?.trim();
  const pipeline = pipelineRaw === undefined || pipelineRaw === '' ? undefined : Number(pipelineRaw);
  if (pipeline !== undefined && !(Number.isInteger(pipeline) && pipeline >= 0)) throw new AiosError('EINVAL', 'AIOS_LLM_PIPELINE must be a non-negative integer', { env: 'AIOS_LLM_PIPELINE', value: pipelineRaw });
  return createOpenAIChatDriver({
    baseURL,
    model,
    ...(apiKey !== undefined && apiKey !== '' ? { apiKey } : {}),
    ...(slots !== undefined ? { slots } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(pipeline !== undefined ? { pipeline } : {}),
  });
}

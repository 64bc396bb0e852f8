// embedderFromEnv: which embedder a node gets from its environment, and EINVAL for every bad combination.
import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { embedderFromEnv } from './index.ts';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AiosError);
    return (e as AiosError).code;
  }
  throw new Error('expected an error');
}

describe('embedder-openai - embedderFromEnv', () => {
  it('embedder-openai - without AIOS_EMBED_BASE_URL the node gets the offline embedder-wink (nothing loaded yet)', () => {
    const e = embedderFromEnv({});
    expect(e.info.name).toBe('embedder-wink');
    expect(embedderFromEnv({ AIOS_EMBED_BASE_URL: '  ' }).info.name).toBe('embedder-wink');
  });

  it('embedder-openai - with a base URL and a model: the OpenAI-compatible embedder, with its dimension when given', () => {
    const e = embedderFromEnv({ AIOS_EMBED_BASE_URL: 'http://127.0.0.1:9/v1', AIOS_EMBED_MODEL: 'nomic-embed-text', AIOS_EMBED_DIM: '768', AIOS_EMBED_API_KEY: 'k' });
    expect(e.info.name).toBe('embedder-openai');
    expect(e.dim).toBe(768);
    expect(embedderFromEnv({ AIOS_EMBED_BASE_URL: 'http://127.0.0.1:9/v1', AIOS_EMBED_MODEL: 'm' }).dim).toBe(0);
  });

  it('embedder-openai - the model is part of the driver identity; credentials in the URL never reach the description', () => {
    const e = embedderFromEnv({ AIOS_EMBED_BASE_URL: 'http://user:secret@127.0.0.1:9/v1', AIOS_EMBED_MODEL: 'nomic', AIOS_EMBED_DIM: '256' });
    expect(e.info.model).toBe('nomic/256');
    expect(e.info.description).not.toContain('secret');
    expect(e.info.description).toContain('127.0.0.1:9');
  });

  it('embedder-openai - bad combinations are EINVAL: no model, a bad number, settings without a URL, a non-http URL', () => {
    expect(code(() => embedderFromEnv({ AIOS_EMBED_BASE_URL: 'http://127.0.0.1:9/v1' }))).toBe('EINVAL');
    expect(code(() => embedderFromEnv({ AIOS_EMBED_BASE_URL: 'http://127.0.0.1:9/v1', AIOS_EMBED_MODEL: 'm', AIOS_EMBED_DIM: '-3' }))).toBe('EINVAL');
    expect(code(() => embedderFromEnv({ AIOS_EMBED_BASE_URL: 'http://127.0.0.1:9/v1', AIOS_EMBED_MODEL: 'm', AIOS_EMBED_TIMEOUT_MS: 'soon' }))).toBe('EINVAL');
    expect(code(() => embedderFromEnv({ AIOS_EMBED_MODEL: 'm' }))).toBe('EINVAL');
    expect(code(() => embedderFromEnv({ AIOS_EMBED_BASE_URL: 'file:///etc/passwd', AIOS_EMBED_MODEL: 'm' }))).toBe('EINVAL');
  });
});

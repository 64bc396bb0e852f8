import { describe, it, expect } from 'vitest';
import { AiosError } from '@aios/abi';
import type { LlmChunk, LlmRequest } from '@aios/abi';
import { createOfflineDriver, estimateTokens, answerByRule } from './index.ts';

const ask = (content: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({ messages: [{ role: 'user', content }], ...extra });

async function collect(it: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const out: LlmChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('llm-offline', () => {
  it('llm-offline - says plainly it is not a language model', () => {
    const d = createOfflineDriver();
    expect(d.info.kind).toBe('llm');
    expect(d.info.description).toMatch(/NOT a language model/);
  });

  it('llm-offline - answers by rule: arithmetic, summary, echo', () => {
    expect(answerByRule('What is 2 + 3 * 4?')).toBe('14');
    expect(answerByRule('(1 + 2) / 4')).toBe('0.75');
    expect(answerByRule('compute 1/0')).toBe('undefined (division by zero)');
    expect(answerByRule('Summarize: Paris is the capital. It is large.')).toBe('Paris is the capital.');
    expect(answerByRule('hello there')).toBe('hello there');
  });

  it('llm-offline - same input gives the same output, with token usage', async () => {
    const d = createOfflineDriver();
    const req: LlmRequest = { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello, world' }] };
    const a = await d.complete(req);
    const b = await d.complete(req);
    expect(a).toEqual(b);
    expect(a.text).toBe('hello, world');
    expect(a.usage).toEqual({ promptTokens: 2 + 2 + 3 + 2, completionTokens: 3 });
    expect(a.finishReason).toBe('stop');
    expect(estimateTokens('a b, c.')).toBe(5);
  });

  it('llm-offline - maxTokens cuts the answer with finishReason length; stop sequences cut it too', async () => {
    const d = createOfflineDriver();
    const r = await d.complete(ask('one two three four five', { maxTokens: 2 }));
    expect(r).toMatchObject({ text: 'one two', finishReason: 'length', usage: { completionTokens: 2 } });
    const s = await d.complete(ask('alpha beta gamma', { stop: [' gamma'] }));
    expect(s).toMatchObject({ text: 'alpha beta', finishReason: 'stop' });
  });

  it('llm-offline - streams by words and ends with one done chunk that has usage', async () => {
    const d = createOfflineDriver();
    const chunks = await collect(d.stream(ask('the quick brown fox')));
    expect(chunks.map((c) => c.delta)).toEqual(['the', ' quick', ' brown', ' fox', '']);
    const last = chunks[chunks.length - 1]!;
    expect(last).toMatchObject({ done: true, finishReason: 'stop', usage: { promptTokens: 6, completionTokens: 4 } });
    expect(chunks.filter((c) => c.done === true)).toHaveLength(1);
  });

  it('llm-offline - simulated latency goes through the sleep port and honours abort (ECANCELED)', async () => {
    const sleeps: number[] = [];
    const d = createOfflineDriver({ msPerToken: 10, sleep: async (ms) => { sleeps.push(ms); } });
    await d.complete(ask('a b'));
    expect(sleeps).toEqual([(2 + 2) * 10 + 2 * 10]);
    const ctl = new AbortController();
    ctl.abort();
    await expect(d.complete(ask('a'), ctl.signal)).rejects.toMatchObject({ code: 'ECANCELED' });
  });

  it('llm-offline - bad input gets EINVAL', async () => {
    const d = createOfflineDriver();
    await expect(d.complete({ messages: [] })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => createOfflineDriver({ slots: 0 })).toThrow(AiosError);
  });
});

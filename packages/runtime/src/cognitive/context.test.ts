import { describe, expect, it } from 'vitest';
import type { LlmMessage, LlmResult } from '@aios/abi';
import { contextWindow, estimateTokens } from './context.ts';

const result = (text: string, promptTokens = 10): LlmResult => ({ text, usage: { promptTokens, completionTokens: 3 }, finishReason: 'stop', model: 'scripted' });

describe('cognitive - context window', () => {
  it('cognitive - tokens are accounted, and old turns are summarised through the model when the window fills', async () => {
    const calls: LlmMessage[][] = [];
    const w = contextWindow({ maxTokens: 100, system: 'be brief', keepTurns: 2, complete: async (ms) => (calls.push(ms), result('they talked about Paris and 42')) });
    expect(w.tokens()).toBe(4 + estimateTokens('be brief'));
    for (let i = 0; i < 8; i++) await w.add(i % 2 ? 'assistant' : 'user', `turn ${i} about the trip to Paris with some more words here`);
    expect(w.stats.summaries).toBeGreaterThan(0);
    expect(w.tokens()).toBeLessThanOrEqual(100);
    expect(calls[0]![0]!.content).toMatch(/Summarise/);
    expect(w.messages()[1]!.content).toContain('they talked about Paris and 42');
    expect(w.messages().at(-1)!.content).toContain('turn 7');
  });

  it('cognitive - recalled memories enter the window, and the device\'s prompt count calibrates the estimate', async () => {
    const w = contextWindow({ maxTokens: 200, complete: async () => result('ok', 1000), recall: async () => [{ text: 'Ada prefers trains', score: 0.9 }] });
    expect(await w.recall('how does Ada travel')).toBe(1);
    expect(w.messages()[0]!.content).toContain('Ada prefers trains');
    const before = w.tokens();
    w.calibrate(before, before * 2);
    expect(w.stats.ratio).toBe(2);
    expect(w.tokens()).toBeGreaterThanOrEqual(before * 2 - 1);
  });
});

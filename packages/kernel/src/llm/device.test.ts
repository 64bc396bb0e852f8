import { describe, it, expect } from 'vitest';
import { AiosError } from '@aios/abi';
import type { KernelEvent, LlmChunk, LlmDriver, LlmRequest, LlmResult } from '@aios/abi';
import { createModelDevice } from './index.ts';
import type { ModelDeviceOptions } from './index.ts';

interface Call { agentTag: string; req: LlmRequest; signal: AbortSignal; resolve: (r: LlmResult) => void; reject: (e: unknown) => void }

/** A driver whose calls finish only when the test says so; usage = 4 prompt + maxTokens. */
function fakeDriver(slots: number) {
  const calls: Call[] = [];
  const driver: LlmDriver = {
    info: { name: 'fake', version: '0', kind: 'llm', description: 'test double' },
    slots,
    estimateTokens: () => 0,
    complete(req, signal) {
      return new Promise<LlmResult>((resolve, reject) => {
        const call: Call = { agentTag: req.messages[0]!.content, req, signal: signal!, resolve, reject };
        calls.push(call);
        signal!.addEventListener('abort', () => {
          calls.splice(calls.indexOf(call), 1);
          reject(new AiosError('ECANCELED'));
        });
      });
    },
    async *stream(req, signal): AsyncIterable<LlmChunk> {
      const words = req.messages[0]!.content.split(' ');
      for (const w of words) {
        await Promise.resolve();
        if (signal?.aborted) throw new AiosError('ECANCELED');
        yield { delta: w };
      }
      yield { delta: '', done: true, finishReason: 'stop', usage: { promptTokens: 4, completionTokens: words.length }, model: 'fake' };
    },
  };
  const flush = () => new Promise((r) => setImmediate(r));
  /** Finishes the oldest in-flight call (by default with its maxTokens as completion). */
  const finishOldest = async () => {
    const c = calls.shift()!;
    c.resolve({ text: 'ok', usage: { promptTokens: 4, completionTokens: c.req.maxTokens ?? 0 }, finishReason: 'stop', model: 'fake' });
    await flush();
    return c;
  };
  return { driver, calls, flush, finishOldest };
}

function device(slots: number, extra: Partial<ModelDeviceOptions> = {}) {
  const f = fakeDriver(slots);
  const clock = { t: 0, now() { return this.t; } };
  const events: KernelEvent[] = [];
  const dev = createModelDevice({ driver: f.driver, clock, onEvent: (e) => events.push(e), ...extra });
  return { ...f, dev, clock, events };
}

const req = (tag: string, maxTokens: number): LlmRequest => ({ messages: [{ role: 'user', content: tag }], maxTokens });
const settled = (p: Promise<unknown>) => { p.catch(() => undefined); return p; };

describe('llm model device', () => {
  it('llm device - equal-weight agents get equal token throughput under contention (WFQ), not under FIFO', async () => {
    for (const policy of ['wfq', 'fifo'] as const) {
      const d = device(1, { policy });
      for (let i = 0; i < 40; i++) {
        settled(d.dev.submit(1, req('a1', 96)));
        settled(d.dev.submit(2, req('a2', 6)));
      }
      await d.flush();
      for (let i = 0; i < 40; i++) await d.finishOldest();
      const t1 = d.dev.usage(1).promptTokens + d.dev.usage(1).completionTokens;
      const t2 = d.dev.usage(2).promptTokens + d.dev.usage(2).completionTokens;
      if (policy === 'wfq') expect(Math.abs(t1 - t2)).toBeLessThanOrEqual(100);
      else expect(t1 / t2).toBe(10);
      d.dev.cancelAgent(1);
      d.dev.cancelAgent(2);
    }
  });

  it('llm device - never more in flight than the slots; results reach the caller', async () => {
    const d = device(2);
    const ps = [1, 2, 3].map((a) => d.dev.submit(a, req(`x${a}`, 10)));
    await d.flush();
    expect(d.calls).toHaveLength(2);
    expect(d.dev.stats()).toMatchObject({ inFlight: 2, queued: 1, slots: 2 });
    await d.finishOldest();
    expect(d.calls).toHaveLength(2);
    await d.finishOldest();
    await d.finishOldest();
    await expect(Promise.all(ps)).resolves.toHaveLength(3);
    expect(d.dev.usage(1)).toMatchObject({ requests: 1, promptTokens: 4, completionTokens: 10, queued: 0, inFlight: 0 });
  });

  it('llm device - pipeline hands that many requests to the driver beyond the slots, in queue order', async () => {
    const d = device(2, { pipeline: 1 });
    for (let a = 1; a <= 5; a++) settled(d.dev.submit(a, req(`x${a}`, 10)));
    await d.flush();
    expect(d.calls.map((c) => c.agentTag)).toEqual(['x1', 'x2', 'x3']);
    expect(d.dev.stats()).toMatchObject({ inFlight: 3, queued: 2, slots: 2, pipeline: 1 });
    await d.finishOldest();
    expect(d.calls.map((c) => c.agentTag)).toEqual(['x2', 'x3', 'x4']);
    expect(() => device(2, { pipeline: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => device(2, { pipeline: 0.5 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    for (let a = 1; a <= 5; a++) d.dev.cancelAgent(a);
  });

  it('llm device - an interactive short request waits behind at most one in-flight request per slot', async () => {
    for (const policy of ['wfq', 'fifo'] as const) {
      const d = device(2, { policy });
      for (let a = 1; a <= 4; a++) for (let i = 0; i < 5; i++) settled(d.dev.submit(a, req(`batch${a}`, 500)));
      await d.flush();
      const fast = settled(d.dev.submit(9, req('fast', 5), { interactive: true }));
      await d.finishOldest();
      const dispatched = d.calls[d.calls.length - 1]!.agentTag;
      if (policy === 'wfq') {
        expect(dispatched).toBe('fast');
        await d.finishOldest();
        await d.finishOldest();
        await expect(fast).resolves.toMatchObject({ text: 'ok' });
      } else {
        expect(dispatched).not.toBe('fast');
      }
      for (const a of [1, 2, 3, 4, 9]) d.dev.cancelAgent(a);
    }
  });

  it('llm device - weights scale token shares', async () => {
    const d = device(1);
    d.dev.configureAgent(2, { weight: 3 });
    for (let i = 0; i < 60; i++) { settled(d.dev.submit(1, req('a1', 46))); settled(d.dev.submit(2, req('a2', 46))); }
    await d.flush();
    for (let i = 0; i < 40; i++) await d.finishOldest();
    expect(d.dev.usage(2).requests / d.dev.usage(1).requests).toBeCloseTo(3, 0);
    d.dev.cancelAgent(1); d.dev.cancelAgent(2);
  });

  it('llm device - budget warning at 80 %, EQUOTA at 100 %, reset by the clock window', async () => {
    const d = device(1);
    d.dev.configureAgent(1, { budget: { tokens: 100, periodMs: 1000 } });
    for (let i = 0; i < 3; i++) {
      const p = d.dev.submit(1, req('a', 26));
      await d.flush();
      await d.finishOldest();
      await p;
    }
    expect(d.events.map((e) => e.topic)).toEqual(['llm.budget.warning']);
    const p4 = d.dev.submit(1, req('a', 26));
    await d.flush();
    await d.finishOldest();
    await p4;
    expect(d.events.map((e) => e.topic)).toEqual(['llm.budget.warning', 'llm.budget.exhausted']);
    const err = await d.dev.submit(1, req('a', 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EQUOTA', detail: { resource: 'llmTokens', limit: 100, used: 120 } });
    expect(d.dev.usage(1).window).toMatchObject({ tokens: 120, resetsAt: 1000 });
    d.clock.t = 1000;
    const p5 = d.dev.submit(1, req('a', 1));
    await d.flush();
    await d.finishOldest();
    await expect(p5).resolves.toBeDefined();
  });

  it('llm device - cost budgets use the pricing; children charge their parent', async () => {
    const d = device(1, { pricing: { promptPerToken: 0.01, completionPerToken: 0.02 } });
    d.dev.configureAgent(1, { budget: { cost: 1 } });
    d.dev.configureAgent(2, { parent: 1 });
    expect(() => d.dev.configureAgent(2, { budget: { cost: 5 } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const p = d.dev.submit(2, req('child', 48)); // 4*0.01 + 48*0.02 = 1.0
    await d.flush();
    await d.finishOldest();
    await p;
    expect(d.dev.usage(2).cost).toBeCloseTo(1);
    expect(d.dev.usage(1).window.cost).toBeCloseTo(1);
    await expect(d.dev.submit(2, req('child', 1))).rejects.toMatchObject({ code: 'EQUOTA', detail: { resource: 'llmCost', agentId: 1 } });
  });

  it('llm device - cancelAgent aborts queued and in-flight requests with ECANCELED and frees the slot', async () => {
    const d = device(1);
    const inflight = d.dev.submit(1, req('victim', 10));
    const queued = d.dev.submit(1, req('victim', 10));
    const other = d.dev.submit(2, req('other', 10));
    await d.flush();
    expect(d.calls[0]!.agentTag).toBe('victim');
    expect(d.dev.cancelAgent(1)).toBe(2);
    await expect(inflight).rejects.toMatchObject({ code: 'ECANCELED' });
    await expect(queued).rejects.toMatchObject({ code: 'ECANCELED' });
    await d.flush();
    expect(d.calls.map((c) => c.agentTag)).toEqual(['other']);
    await d.finishOldest();
    await expect(other).resolves.toBeDefined();
    expect(d.dev.stats()).toMatchObject({ inFlight: 0, queued: 0, canceled: 2, completed: 1 });
  });

  it('llm device - the caller signal cancels one request', async () => {
    const d = device(1);
    const ctl = new AbortController();
    settled(d.dev.submit(1, req('first', 1)));
    const p = d.dev.submit(1, req('second', 1), { signal: ctl.signal });
    ctl.abort();
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED' });
    await expect(d.dev.submit(1, req('x', 1), { signal: ctl.signal })).rejects.toMatchObject({ code: 'ECANCELED' });
    d.dev.cancelAgent(1);
  });

  it('llm device - streams pass chunks through, charge the final usage, and free the slot on early exit', async () => {
    const d = device(1);
    const chunks: string[] = [];
    for await (const c of d.dev.submitStream(1, req('one two three', 10))) chunks.push(c.delta);
    expect(chunks).toEqual(['one', 'two', 'three', '']);
    expect(d.dev.usage(1)).toMatchObject({ requests: 1, promptTokens: 4, completionTokens: 3 });
    for await (const _ of d.dev.submitStream(1, req('a b c d', 10))) break;
    const never = d.dev.submitStream(2, req('x', 1));
    await never[Symbol.asyncIterator]().return!();
    expect(d.dev.stats()).toMatchObject({ inFlight: 0, queued: 0 });
    expect(d.dev.usage(1).requests).toBe(2);
  });

  it('llm device - driver failures surface as AiosError (EIO for foreign errors)', async () => {
    const d = device(1);
    const p = d.dev.submit(1, req('a', 1));
    await d.flush();
    d.calls.shift()!.reject(new Error('socket hang up'));
    await expect(p).rejects.toMatchObject({ code: 'EIO' });
    expect(d.dev.stats()).toMatchObject({ inFlight: 0, failed: 1 });
  });

  it('llm device - bad input gets EINVAL (EMSGSIZE for a huge prompt, EAGAIN for a full queue)', async () => {
    const d = device(1, { maxQueuedPerAgent: 1 });
    const bad: [number, unknown, unknown][] = [
      [-1, req('a', 1), undefined],
      [1, { messages: [] }, undefined],
      [1, { messages: [{ role: 'wizard', content: 'x' }] }, undefined],
      [1, { messages: [{ role: 'user', content: 3 }] }, undefined],
      [1, { ...req('a', 1), maxTokens: 0 }, undefined],
      [1, { ...req('a', 1), temperature: 9 }, undefined],
      [1, { ...req('a', 1), stop: ['', 'x'] }, undefined],
      [1, req('a', 1), { weight: 0 }],
      [1, req('a', 1), { interactive: 'yes' }],
      [1, null, undefined],
    ];
    for (const [a, r, o] of bad) {
      await expect(d.dev.submit(a, r as LlmRequest, o as never)).rejects.toMatchObject({ code: 'EINVAL' });
      expect(() => d.dev.submitStream(a, r as LlmRequest, o as never)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    await expect(d.dev.submit(1, { messages: [{ role: 'user', content: 'x'.repeat(5 * 2 ** 20) }] })).rejects.toMatchObject({ code: 'EMSGSIZE' });
    expect(() => d.dev.configureAgent(1, { budget: { tokens: -1 } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => d.dev.setPolicy('lottery' as never)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    settled(d.dev.submit(1, req('a', 1)));
    settled(d.dev.submit(1, req('a', 1)));
    await expect(d.dev.submit(1, req('a', 1))).rejects.toMatchObject({ code: 'EAGAIN' });
    d.dev.cancelAgent(1);
  });
});

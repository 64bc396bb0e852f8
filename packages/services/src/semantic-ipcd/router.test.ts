// Tests of the intent router with a tiny deterministic bag-of-words embedder (services may not import drivers).
import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import type { EmbedderDriver } from '@aios/abi';
import { IntentRouter } from './index.ts';

const VOCAB = ['weather', 'rain', 'forecast', 'translate', 'french', 'spanish', 'email', 'send', 'mail', 'timer', 'minutes', 'pizza'];
const DIM = VOCAB.length + 1;
/** One dimension per vocabulary word, plus one "other" dimension; unit length. */
function bow(text: string): Float32Array {
  const v = new Float32Array(DIM);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const i = VOCAB.indexOf(w);
    v[i >= 0 ? i : DIM - 1]! += i >= 0 ? 1 : 0.2;
  }
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}
const embedder: EmbedderDriver = {
  info: { name: 'bow', version: '0', kind: 'embedder', description: 'test bag of words' },
  dim: DIM,
  embed: async (texts) => texts.map(bow),
};
const WEATHER = { name: 'weather', description: 'weather forecast', examples: ['will it rain', 'weather forecast today'] };
const TRANSLATE = { name: 'translate', description: 'translate text', examples: ['translate to french', 'translate to spanish'] };
const EMAIL = { name: 'send_email', description: 'send an email', examples: ['send an email', 'mail my boss'] };

async function router(opts: Partial<ConstructorParameters<typeof IntentRouter>[0]> = {}): Promise<IntentRouter> {
  const r = new IntentRouter({ embedder, threshold: 0.4, ...opts });
  await r.register(1, WEATHER);
  await r.register(2, TRANSLATE);
  await r.register(3, EMAIL);
  return r;
}

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<AiosError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(AiosError);
    return e as AiosError;
  }
  throw new Error('expected an AiosError');
}

describe('semantic-ipcd router', () => {
  it('router - routes a request to the closest intent with a score and ranked candidates', async () => {
    const r = await router();
    const res = await r.route('is rain in the forecast');
    expect(res.best).toMatchObject({ agent: 1, intent: 'weather' });
    expect(res.best.score).toBeGreaterThan(0.4);
    expect(res.candidates[0]!.intent).toBe('weather');
    expect(res.candidates.map((c) => c.intent)).toEqual(expect.arrayContaining(['weather', 'translate', 'send_email']));
    for (let i = 1; i < res.candidates.length; i++) expect(res.candidates[i - 1]!.score).toBeGreaterThanOrEqual(res.candidates[i]!.score);
    expect((await r.route('translate this to spanish please')).best.intent).toBe('translate');
  });

  it('router - refuses below the threshold with ENOROUTE and the best candidates with scores', async () => {
    const r = await router();
    const err = await rejection(r.route('order a pizza'));
    expect(err.code).toBe('ENOROUTE');
    const c = (err.detail as { candidates: Array<{ intent: string; score: number; agent: number }> }).candidates;
    expect(c.length).toBe(3);
    expect(typeof c[0]!.score).toBe('number');
    // A lower threshold in the call accepts the same request.
    expect((await r.route('weather pizza', { threshold: 0.1 })).best.intent).toBe('weather');
  });

  it('router - returns every agent serving the same intent as instances', async () => {
    const r = await router();
    await r.register(7, WEATHER);
    await r.register(5, WEATHER);
    const res = await r.route('weather forecast');
    expect(res.best).toMatchObject({ agent: 1, intent: 'weather' });
    expect(res.instances.map((i) => i.agent)).toEqual([1, 5, 7]);
    expect(res.candidates.filter((c) => c.intent === 'weather')).toHaveLength(1);
    expect((await r.multicastTargets('weather forecast', 0.5)).map((m) => m.agent)).toEqual([1, 5, 7]);
    expect(r.size).toBe(5);
  });

  it('router - unregister removes one intent or all of an agent', async () => {
    const r = await router();
    r.unregister(1, 'weather');
    expect((await rejection(r.route('weather forecast'))).code).toBe('ENOROUTE');
    await r.register(3, WEATHER);
    expect((await r.route('weather forecast')).best.agent).toBe(3);
    r.unregister(3);
    expect(r.size).toBe(1);
    expect((await r.route('translate to french')).best.agent).toBe(2);
    r.unregister(99); // unknown: no-op
    r.unregister(2, 'nope');
    expect(r.size).toBe(1);
  });

  it('router - re-registering the same intent name replaces the manifest', async () => {
    const r = await router();
    await r.register(1, { name: 'weather', description: 'set a timer', examples: ['timer for ten minutes'] });
    expect(r.size).toBe(3);
    expect((await r.route('timer minutes')).best).toMatchObject({ agent: 1, intent: 'weather' });
    expect((await rejection(r.route('rain forecast'))).code).toBe('ENOROUTE');
  });

  it('router - an intent without examples routes by its description, then by its name', async () => {
    const r = new IntentRouter({ embedder, threshold: 0.5 });
    await r.register(4, { name: 'pizza', description: 'order pizza' });
    await r.register(5, { name: 'timer' });
    expect((await r.route('pizza')).best.agent).toBe(4);
    expect((await r.route('timer')).best.agent).toBe(5);
  });

  it('router - routeSync uses embedSync; without it, it is ENOSYS', async () => {
    const withSync = await router({ embedSync: bow });
    expect(withSync.routeSync('send an email').best.intent).toBe('send_email');
    const without = await router();
    expect((await rejection(() => without.routeSync('send an email'))).code).toBe('ENOSYS');
  });

  it('router - no registered intent is ENOROUTE with no candidates', async () => {
    const r = new IntentRouter({ embedder });
    const err = await rejection(r.route('weather'));
    expect(err.code).toBe('ENOROUTE');
    expect((err.detail as { candidates: unknown[] }).candidates).toEqual([]);
    expect(await r.candidates('weather', 3)).toEqual([]);
  });

  it('router - bad arguments are EINVAL, oversized manifests and requests EMSGSIZE', async () => {
    const r = await router();
    expect((await rejection(r.register(-1, WEATHER))).code).toBe('EINVAL');
    expect((await rejection(r.register(1.5, WEATHER))).code).toBe('EINVAL');
    expect((await rejection(r.register(1, { name: '' }))).code).toBe('EINVAL');
    expect((await rejection(r.register(1, { name: 'x', examples: [''] }))).code).toBe('EINVAL');
    expect((await rejection(r.register(1, { name: 'x', examples: 'hi' as unknown as string[] }))).code).toBe('EINVAL');
    expect((await rejection(r.register(1, { name: 'x', examples: Array(300).fill('hi') }))).code).toBe('EMSGSIZE');
    expect((await rejection(r.route(''))).code).toBe('EINVAL');
    expect((await rejection(r.route('   '))).code).toBe('EINVAL');
    expect((await rejection(r.route('x'.repeat(5000)))).code).toBe('EMSGSIZE');
    expect((await rejection(r.route('rain', { threshold: 2 }))).code).toBe('EINVAL');
    expect((await rejection(r.route('rain', { k: -1 }))).code).toBe('EINVAL');
    expect((await rejection(r.multicastTargets('rain', Number.NaN))).code).toBe('EINVAL');
    expect(() => new IntentRouter({ embedder, shortlist: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('router - an embedder returning wrong vectors is EIO', async () => {
    const broken: EmbedderDriver = { ...embedder, embed: async (t) => t.map(() => new Float32Array(3)) };
    expect((await rejection(new IntentRouter({ embedder: broken }).register(1, WEATHER))).code).toBe('EIO');
    const short: EmbedderDriver = { ...embedder, embed: async () => [] };
    expect((await rejection(new IntentRouter({ embedder: short }).register(1, WEATHER))).code).toBe('EIO');
    const throwing: EmbedderDriver = { ...embedder, embed: async () => { throw new Error('boom'); } };
    expect((await rejection(new IntentRouter({ embedder: throwing }).route('x'))).code).toBe('EIO');
  });

  it('router - many intents: the shortlist still finds the right one, deterministically', async () => {
    const r = new IntentRouter({ embedder, threshold: 0.3, shortlist: 2 });
    for (let i = 0; i < 40; i++) await r.register(100 + i, { name: `noise_${i}`, description: 'pizza '.repeat((i % 3) + 1), examples: [`pizza ${i}`] });
    await r.register(1, WEATHER);
    const a = await r.route('rain forecast');
    const b = await r.route('rain forecast');
    expect(a.best.intent).toBe('weather');
    expect(a).toEqual(b);
  });
});

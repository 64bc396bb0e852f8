import { describe, it, expect } from 'vitest';
import { AiosError, errorToWire as toWireError, limits } from '@aios/abi';
import { allowed, globMatch, leastLoaded, readConfig, readRequest, updateLatency } from './protocol.ts';

const DEFAULT_ASK_TIMEOUT_MS = limits.ASK_TIMEOUT_MS;

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as AiosError).code;
  }
  return 'ok';
};

describe('semantic-ipcd protocol - requests', () => {
  it('semantic-ipcd protocol - parses ask with defaults', () => {
    expect(readRequest({ id: 1, op: 'ask', text: 'hi' })).toEqual({ id: 1, op: 'ask', text: 'hi', timeoutMs: DEFAULT_ASK_TIMEOUT_MS, scope: 'cluster' });
    // A remote award names the node; a forwarded request (via) is local-only; bad cluster fields are EINVAL.
    expect(readRequest({ op: 'ask', intent: 'w', agent: 3, node: 'b' })).toMatchObject({ agent: 3, node: 'b', scope: 'cluster' });
    expect(readRequest({ op: 'ask', intent: 'w', via: { node: 'a', asker: 'x@a' } })).toMatchObject({ scope: 'local', via: { node: 'a', asker: 'x@a' } });
    expect(() => readRequest({ op: 'ask', intent: 'w', node: 'b' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => readRequest({ op: 'ask', intent: 'w', scope: 'galaxy' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(readRequest({ op: 'ask', intent: 'weather', agent: 7, payload: { city: 'x' }, timeoutMs: 5 })).toMatchObject({ intent: 'weather', agent: 7, timeoutMs: 5 });
    expect(readRequest({ op: 'intents' }).op).toBe('intents');
  });

  it('semantic-ipcd protocol - bad requests are EINVAL', () => {
    for (const bad of [null, [], 'x', { op: 'nope' }, { op: 'ask' }, { op: 'ask', text: '  ' }, { op: 'ask', text: 'a', timeoutMs: 0 }, { op: 'ask', text: 'a', timeoutMs: 1e9 }, { op: 'ask', text: 'a', agent: 3 }, { op: 'ask', intent: 5 }, { op: 'multicast', agent: 'x', intent: 'a' }]) {
      expect(code(() => readRequest(bad)), JSON.stringify(bad)).toBe('EINVAL');
    }
  });

  it('semantic-ipcd protocol - config and the allow policy', () => {
    expect(readConfig(undefined)).toEqual({});
    expect(readConfig({ threshold: 0.5, extract: true, allow: [{ from: 'a*', intents: ['w*'] }] })).toEqual({ threshold: 0.5, extract: true, allow: [{ from: 'a*', intents: ['w*'] }] });
    expect(code(() => readConfig({ threshold: 2 }))).toBe('EINVAL');
    expect(code(() => readConfig({ allow: [{ from: 1 }] }))).toBe('EINVAL');
    expect(globMatch('trusted-*', 'trusted-asker')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(allowed(undefined, 'x', 'y')).toBe(true);
    expect(allowed([{ from: 'ops-*', intents: ['weather', 'mem.*'] }], 'ops-1', 'mem.get')).toBe(true);
    expect(allowed([{ from: 'ops-*', intents: ['weather'] }], 'ops-1', 'translate')).toBe(false);
    expect(allowed([{ from: 'ops-*', intents: ['*'] }], 'dev-1', 'weather')).toBe(false);
  });
});

describe('semantic-ipcd protocol - least loaded', () => {
  it('semantic-ipcd protocol - fewest queued + in flight, then latency, then lowest id', () => {
    expect(leastLoaded([])).toBeUndefined();
    expect(leastLoaded([{ agent: 1, mailbox: 3, inflight: 0 }, { agent: 2, mailbox: 0, inflight: 1 }])!.agent).toBe(2);
    expect(leastLoaded([{ agent: 1, mailbox: 1, inflight: 0, latencyMs: 50 }, { agent: 2, mailbox: 0, inflight: 1, latencyMs: 10 }])!.agent).toBe(2);
    expect(leastLoaded([{ agent: 3, mailbox: 0, inflight: 0 }, { agent: 2, mailbox: 0, inflight: 0 }])!.agent).toBe(2);
    expect(leastLoaded([{ agent: 1, mailbox: 0, inflight: 0, latencyMs: 5 }, { agent: 2, mailbox: 0, inflight: 0 }])!.agent).toBe(2);
  });

  it('semantic-ipcd protocol - latency average and wire errors', () => {
    expect(updateLatency(undefined, 10)).toBe(10);
    expect(updateLatency(10, 20)).toBeCloseTo(13);
    expect(toWireError(new AiosError('ENOROUTE', 'no', { candidates: [] }))).toEqual({ code: 'ENOROUTE', message: 'no', detail: { candidates: [] } });
    expect(toWireError(new Error('boom'))).toEqual({ code: 'EIO', message: 'boom' });
    expect(toWireError({ code: 'EWHAT', message: 'x' }).code).toBe('EIO');
  });
});

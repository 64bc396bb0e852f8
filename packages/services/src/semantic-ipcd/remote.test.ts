import { describe, expect, it } from 'vitest';
import { REMOTE_ID_BASE, RemoteTargets, isRemote, readDirectory } from './remote.ts';

const dir = (agents: Array<{ node: string; name: string; id: number; intents: string[]; load?: number }>, nodes: Array<[string, 'up' | 'suspect' | 'down', number]>) =>
  readDirectory({
    node: 'a', version: String(Math.random()), nodes: nodes.map(([name, state, load]) => ({ name, state, load })),
    agents: agents.map((x) => ({ ...x, load: x.load ?? 0, intents: x.intents.map((n) => ({ name: n, description: n, examples: [`do ${n}`] })) })),
  });

describe('semantic-ipcd remote targets', () => {
  it('remote - routing ids never collide with local agent ids; changes say what to (un)register', () => {
    const r = new RemoteTargets();
    const c1 = r.apply(dir([{ node: 'b', name: 'x', id: 7, intents: ['whoami'] }, { node: 'c', name: 'y', id: 7, intents: ['whoami'] }], [['b', 'up', 1], ['c', 'up', 1]]));
    expect(c1.register.map((t) => t.rid).every(isRemote)).toBe(true);
    expect(c1.register[0]!.rid).toBeGreaterThanOrEqual(REMOTE_ID_BASE);
    expect(isRemote(12)).toBe(false);
    // Same snapshot: nothing to do; c's agent gone and b's intents changed: unregister c, re-register b.
    expect(r.apply(dir([{ node: 'b', name: 'x', id: 7, intents: ['whoami'] }, { node: 'c', name: 'y', id: 7, intents: ['whoami'] }], [['b', 'up', 1], ['c', 'up', 1]]))).toEqual({ register: [], unregister: [] });
    const c3 = r.apply(dir([{ node: 'b', name: 'x', id: 7, intents: ['whoami', 'census'] }], [['b', 'up', 1], ['c', 'up', 1]]));
    expect(c3.register.map((t) => t.name)).toEqual(['x']);
    expect(c3.unregister.length).toBe(2);
    expect(r.size).toBe(1);
  });

  it('remote - failover order: up before suspect before recently unreachable, then load, then name; down left out', () => {
    const r = new RemoteTargets();
    r.apply(dir([
      { node: 'b', name: 'w', id: 1, intents: ['i'] }, { node: 'c', name: 'w', id: 1, intents: ['i'] },
      { node: 'd', name: 'w', id: 1, intents: ['i'], load: 0 }, { node: 'e', name: 'w', id: 1, intents: ['i'] },
    ], [['b', 'up', 9], ['c', 'up', 2], ['d', 'suspect', 0], ['e', 'down', 0]]));
    expect(r.serving('i', 0).map((t) => t.node)).toEqual(['c', 'b', 'd']);
    r.avoid('c', 0, 1000);
    expect(r.serving('i', 10).map((t) => t.node)).toEqual(['b', 'd', 'c']);
    expect(r.serving('i', 2000).map((t) => t.node)).toEqual(['c', 'b', 'd']);
  });

  it('remote - a malformed snapshot is EINVAL; its own node and bad entries are dropped', () => {
    expect(() => readDirectory({ node: 'a b', version: '', nodes: [], agents: [] })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const d = readDirectory({ node: 'a', version: 'v', nodes: [], agents: [
      { node: 'a', name: 'self', id: 1, intents: [{ name: 'x' }] }, { node: 'b', name: 'ok', id: 2, intents: [{ name: '__hidden' }, { name: 'y', examples: ['e', 3] }] }, { node: 'b', name: 'bad', id: 'z', intents: [] },
    ] });
    expect(d.agents).toEqual([{ node: 'b', name: 'ok', id: 2, load: 0, intents: [{ name: 'y', examples: ['e'] }] }]);
  });
});

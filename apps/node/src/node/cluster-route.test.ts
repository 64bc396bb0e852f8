import { describe, expect, it } from 'vitest';
import type { AgentEntry, NodeView } from '@aios/drivers/transport-nats';
import { remoteCandidates } from './cluster-route.ts';

const node = (name: string, state: NodeView['state'], load = 0): NodeView =>
  ({ name, state, load, incarnation: 'i', keyId: 'k', agents: 1, services: [], startedAt: 0, at: 0, lastSeenMs: 0 });
const agent = (n: string, intents: string[], load = 0): AgentEntry => ({ node: n, name: `w-${n}`, id: 1, intents: intents.map((name) => ({ name })), load });

describe('cluster route - remote candidates of a cross-node ask', () => {
  it('cluster route - by intent name: skips self and down nodes, up before suspect, then agent load, node load, name', () => {
    const nodes = [node('a', 'up'), node('b', 'up', 5), node('c', 'up', 1), node('d', 'down'), node('e', 'suspect'), node('f', 'up')];
    const agents = [agent('a', ['x']), agent('b', ['x']), agent('c', ['x']), agent('d', ['x']), agent('e', ['x']), agent('f', ['y'])];
    expect(remoteCandidates(agents, nodes, 'a', { intent: 'x' })).toEqual(['c', 'b', 'e']);
    expect(remoteCandidates([...agents, agent('b', ['x'], 0)].map((x) => (x.node === 'c' ? { ...x, load: 3 } : x)), nodes, 'a', { intent: 'x' })).toEqual(['b', 'c', 'e']);
  });

  it('cluster route - a text ask goes to every live node with intents; none matching is an empty list', () => {
    const nodes = [node('a', 'up'), node('b', 'up'), node('c', 'up')];
    expect(remoteCandidates([agent('b', ['x']), agent('c', [])], nodes, 'a', { text: 'anything' })).toEqual(['b']);
    expect(remoteCandidates([agent('b', ['x'])], nodes, 'a', { intent: 'zzz' })).toEqual([]);
  });
});

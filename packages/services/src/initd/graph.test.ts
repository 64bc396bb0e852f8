// The dependency graph of initd, pure: levels, cycles, closures, DOT and tree.
import { describe, it, expect } from 'vitest';
import { buildGraph, dependentsClosure, groupByLevel, requiredClosure, stopLevels, toDot, toTree } from './graph.ts';

const NODES = [
  { name: 'planner', requires: ['memoryd', 'semantic-ipcd'] },
  { name: 'memoryd', after: ['identityd'] },
  { name: 'semantic-ipcd', after: ['identityd'] },
  { name: 'identityd' },
  { name: 'networkd', requires: ['identityd'], after: ['semantic-ipcd', 'absent'] },
  { name: 'solo' },
];

describe('initd graph - ordering', () => {
  it('initd graph - Kahn levels put independent units together, dependencies first', () => {
    const g = buildGraph(NODES);
    expect(g.levels).toEqual([['identityd', 'solo'], ['memoryd', 'semantic-ipcd'], ['networkd', 'planner']]);
    expect(g.order.indexOf('identityd')).toBeLessThan(g.order.indexOf('memoryd'));
    expect(g.levelOf.get('planner')).toBe(2);
  });

  it('initd graph - stop order is the start levels reversed', () => {
    const g = buildGraph(NODES);
    expect(stopLevels(g)).toEqual([['networkd', 'planner'], ['memoryd', 'semantic-ipcd'], ['identityd', 'solo']]);
    expect(stopLevels(g, ['identityd', 'planner'])).toEqual([['planner'], ['identityd']]);
  });

  it('initd graph - closures: what a unit requires, and what requires it', () => {
    const g = buildGraph(NODES);
    expect(requiredClosure(g, 'planner')).toEqual(['memoryd', 'semantic-ipcd', 'planner']);
    expect(requiredClosure(g, 'memoryd')).toEqual(['memoryd']); // after does not pull in
    expect(dependentsClosure(g, 'identityd')).toEqual(['networkd']);
    expect(dependentsClosure(g, 'memoryd')).toEqual(['planner']);
    expect(groupByLevel(g, ['planner', 'identityd', 'solo'])).toEqual([['identityd', 'solo'], ['planner']]);
  });

  it('initd graph - a cycle is refused with EINVAL naming it', () => {
    let err: unknown;
    try {
      buildGraph([{ name: 'a', requires: ['b'] }, { name: 'b', after: ['c'] }, { name: 'c', requires: ['a'] }, { name: 'd', requires: ['a'] }, { name: 'e' }]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'EINVAL', detail: { cycle: ['a', 'b', 'c', 'a'] } });
    expect((err as Error).message).toBe('dependency cycle: a -> b -> c -> a');
  });

  it('initd graph - a missing requirement or a duplicate unit is EINVAL', () => {
    expect(() => buildGraph([{ name: 'a', requires: ['ghost'] }])).toThrow(expect.objectContaining({ code: 'EINVAL', detail: { unit: 'a', missing: 'ghost' } }));
    expect(() => buildGraph([{ name: 'a' }, { name: 'a' }])).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(buildGraph([]).levels).toEqual([]);
  });

  it('initd graph - DOT and tree show requires and after edges with states', () => {
    const g = buildGraph(NODES);
    const dot = toDot(g, new Map([['planner', 'active']]));
    expect(dot.startsWith('digraph units {')).toBe(true);
    expect(dot).toContain('"planner" -> "memoryd" [label="requires"];');
    expect(dot).toContain('"networkd" -> "semantic-ipcd" [label="after", style=dashed];');
    expect(dot).toContain('"planner" [label="planner\\nactive"];');
    const tree = toTree(g, new Map([['planner', 'active']]));
    expect(tree.split('\n')).toEqual([
      'networkd',
      '├── identityd',
      '└── semantic-ipcd (after)',
      '    └── identityd (after)',
      'planner [active]',
      '├── memoryd',
      '│   └── identityd (after)',
      '└── semantic-ipcd (see above)',
      'solo',
    ]);
  });
});

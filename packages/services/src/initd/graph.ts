// The service dependency graph, pure (no syscalls): ordering by levels with Kahn's
// algorithm, cycle refusal naming the cycle, closures for start/stop, DOT and a tree.
// Edges: `requires` (pull in + order) and `after` (order only, when both exist).

import { AiosError } from '@aios/abi';

export interface GraphNode {
  name: string;
  requires?: string[];
  after?: string[];
}

export interface UnitGraph {
  /** Unit names in level order (start order). */
  readonly order: string[];
  /** Start levels: every unit's dependencies are in earlier levels; a level may start in parallel. */
  readonly levels: string[][];
  /** Level index of each unit. */
  readonly levelOf: ReadonlyMap<string, number>;
  /** Hard requirements (unit -> units it requires). */
  readonly requires: ReadonlyMap<string, readonly string[]>;
  /** Ordering-only edges to units present in the graph. */
  readonly after: ReadonlyMap<string, readonly string[]>;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds the graph. EINVAL when a unit appears twice, requires a unit that is not in
 * the list (detail { unit, missing }), or when the graph has a cycle (detail { cycle:
 * ['a', 'b', 'a'] }, each unit depending on the next). `after` of an absent unit is ignored.
 */
export function buildGraph(nodes: GraphNode[]): UnitGraph {
  const names = new Set<string>();
  for (const n of nodes) {
    if (names.has(n.name)) throw new AiosError('EINVAL', `unit '${n.name}' is defined twice`, { unit: n.name });
    names.add(n.name);
  }
  const requires = new Map<string, string[]>();
  const after = new Map<string, string[]>();
  const deps = new Map<string, Set<string>>();
  for (const n of nodes) {
    const req = [...new Set(n.requires ?? [])];
    for (const r of req) if (!names.has(r)) throw new AiosError('EINVAL', `unit '${n.name}' requires '${r}', which does not exist`, { unit: n.name, missing: r });
    const aft = [...new Set(n.after ?? [])].filter((x) => names.has(x));
    requires.set(n.name, req);
    after.set(n.name, aft);
    deps.set(n.name, new Set([...req, ...aft]));
  }
  // Kahn's algorithm by levels: a level is every unit whose dependencies are all placed.
  const placed = new Set<string>();
  const levels: string[][] = [];
  let rest = [...names].sort(byName);
  while (rest.length > 0) {
    const level = rest.filter((n) => [...deps.get(n)!].every((d) => placed.has(d)));
    if (level.length === 0) {
      const cycle = findCycle(rest, deps);
      throw new AiosError('EINVAL', `dependency cycle: ${cycle.join(' -> ')}`, { cycle });
    }
    for (const n of level) placed.add(n);
    levels.push(level);
    rest = rest.filter((n) => !placed.has(n));
  }
  const levelOf = new Map<string, number>();
  levels.forEach((l, i) => l.forEach((n) => levelOf.set(n, i)));
  return { order: levels.flat(), levels, levelOf, requires, after };
}

/** Every unit left after Kahn has a dependency that is also left, so walking dependencies must repeat a unit. */
function findCycle(rest: string[], deps: Map<string, Set<string>>): string[] {
  const left = new Set(rest);
  const path: string[] = [];
  const at = new Map<string, number>();
  let cur = rest[0]!;
  while (!at.has(cur)) {
    at.set(cur, path.length);
    path.push(cur);
    cur = [...deps.get(cur)!].filter((d) => left.has(d)).sort(byName)[0]!;
  }
  return [...path.slice(at.get(cur)!), cur];
}

function sortByOrder(g: UnitGraph, set: Set<string>): string[] {
  return g.order.filter((n) => set.has(n));
}

/** The unit and everything it requires, transitively, in start order. */
export function requiredClosure(g: UnitGraph, name: string): string[] {
  const seen = new Set<string>();
  const walk = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const r of g.requires.get(n) ?? []) walk(r);
  };
  walk(name);
  return sortByOrder(g, seen);
}

/** Units that require `name`, transitively (not `name` itself), in start order. */
export function dependentsClosure(g: UnitGraph, name: string): string[] {
  const seen = new Set<string>();
  const walk = (n: string) => {
    for (const [u, req] of g.requires) if (req.includes(n) && !seen.has(u)) {
      seen.add(u);
      walk(u);
    }
  };
  walk(name);
  return sortByOrder(g, seen);
}

/** Groups units by their level, keeping level order: the start plan of a subset. */
export function groupByLevel(g: UnitGraph, units: Iterable<string>): string[][] {
  const set = new Set(units);
  return g.levels.map((l) => l.filter((n) => set.has(n))).filter((l) => l.length > 0);
}

/** Stop plan: the start levels reversed (dependents stop before what they depend on). */
export function stopLevels(g: UnitGraph, units?: Iterable<string>): string[][] {
  return (units === undefined ? g.levels.map((l) => [...l]) : groupByLevel(g, units)).reverse();
}

function esc(s: string): string {
  return s.replace(/["\\]/g, (c) => `\\${c}`);
}

function quote(s: string): string {
  return `"${esc(s)}"`;
}

/** Graphviz DOT: solid edges for requires, dashed for after; nodes labelled with their state when given. */
export function toDot(g: UnitGraph, states: ReadonlyMap<string, string> = new Map()): string {
  const lines = ['digraph units {', '  rankdir=BT;', '  node [shape=box];'];
  for (const n of g.order) {
    const st = states.get(n);
    lines.push(`  ${quote(n)} [label="${esc(n)}${st ? `\\n${esc(st)}` : ''}"];`);
  }
  for (const n of g.order) {
    for (const r of g.requires.get(n) ?? []) lines.push(`  ${quote(n)} -> ${quote(r)} [label="requires"];`);
    for (const a of g.after.get(n) ?? []) if (!(g.requires.get(n) ?? []).includes(a)) lines.push(`  ${quote(n)} -> ${quote(a)} [label="after", style=dashed];`);
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * A readable tree: each unit nothing depends on is a root; below a unit are what it
 * requires and what it starts after ("after"). A unit already shown is marked (see above).
 */
export function toTree(g: UnitGraph, states: ReadonlyMap<string, string> = new Map()): string {
  const hasDependents = new Set<string>();
  for (const n of g.order) for (const d of [...(g.requires.get(n) ?? []), ...(g.after.get(n) ?? [])]) hasDependents.add(d);
  const roots = g.order.filter((n) => !hasDependents.has(n)).sort(byName);
  const out: string[] = [];
  const shown = new Set<string>();
  const label = (n: string, via?: string) => `${n}${states.get(n) ? ` [${states.get(n)}]` : ''}${via === 'after' ? ' (after)' : ''}`;
  const walk = (n: string, prefix: string, last: boolean, depth: number, via?: string) => {
    const branch = depth === 0 ? '' : last ? '└── ' : '├── ';
    const again = shown.has(n) && ((g.requires.get(n)?.length ?? 0) + (g.after.get(n)?.length ?? 0)) > 0;
    out.push(`${prefix}${branch}${label(n, via)}${again ? ' (see above)' : ''}`);
    if (again) return;
    shown.add(n);
    const req = [...(g.requires.get(n) ?? [])].sort(byName);
    const aft = [...(g.after.get(n) ?? [])].filter((a) => !req.includes(a)).sort(byName);
    const kids: Array<[string, string]> = [...req.map((r): [string, string] => [r, 'requires']), ...aft.map((a): [string, string] => [a, 'after'])];
    const next = depth === 0 ? '' : prefix + (last ? '    ' : '│   ');
    kids.forEach(([k, v], i) => walk(k, next, i === kids.length - 1, depth + 1, v));
  };
  for (const r of roots) walk(r, '', true, 0);
  return out.join('\n');
}

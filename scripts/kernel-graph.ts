// The kernel's own import graph (relative imports between packages/kernel/src files, type imports
// included: they are coupling too), and the two questions the rooms rule asks of it: which files
// import a given one, and whether a file sits on an import cycle. Reads sources only.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { importsOf } from './layering.ts';

/** Source files (not tests) under dir, as paths relative to dir. */
function sources(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p, base));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(relative(base, p));
  }
  return out;
}

/** file -> the files it imports (relative specifiers only), every path relative to srcDir. */
export function importGraph(srcDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(srcDir)) {
    const text = readFileSync(join(srcDir, file), 'utf8');
    const deps = importsOf(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(srcDir, resolve(srcDir, dirname(file), s)));
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Files that import `target` directly. */
export function importersOf(graph: Map<string, string[]>, target: string): string[] {
  return [...graph].filter(([, deps]) => deps.includes(target)).map(([f]) => f).sort();
}

/** An import cycle through `start` (start, ..., start), or null when there is none. */
export function cycleThrough(graph: Map<string, string[]>, start: string): string[] | null {
  const seen = new Set<string>();
  const path: string[] = [start];
  const walk = (file: string): boolean => {
    for (const dep of graph.get(file) ?? []) {
      if (dep === start) {
        path.push(dep);
        return true;
      }
      if (seen.has(dep)) continue;
      seen.add(dep);
      path.push(dep);
      if (walk(dep)) return true;
      path.pop();
    }
    return false;
  };
  return walk(start) ? path : null;
}

// The kernel in rooms: syscall handlers see the kernel only through syscall/context.ts, and kernel.ts
// (the wiring) sits on no import cycle: every room is imported by it, none imports it back.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycleThrough, importGraph, importersOf } from './kernel-graph.ts';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'kernel', 'src');

describe('repo - kernel import graph', () => {
  const graph = importGraph(src);

  it('repo - no file under syscall/ imports kernel.ts', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(importersOf(graph, 'kernel.ts').filter((f) => f.startsWith('syscall/'))).toEqual([]);
  });

  it('repo - only the public entry points import kernel.ts', () => {
    expect(importersOf(graph, 'kernel.ts')).toEqual(['host.ts', 'index.ts']);
  });

  it('repo - kernel.ts is on no import cycle', () => {
    expect(graph.get('kernel.ts')!.length).toBeGreaterThan(5);
    expect(cycleThrough(graph, 'kernel.ts')).toBeNull();
  });

  it('repo - the cycle finder reports a cycle when there is one', () => {
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycleThrough(g, 'a.ts')).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(cycleThrough(g, 'd.ts')).toBeNull();
  });

  it('repo - the kernel reaches time and timers only through its ports', () => {
    // The wasm prelude is the sandbox's own JavaScript (text evaluated inside QuickJS), not kernel code. The
    // executor worker runs on its own thread, beside the kernel: it times activations there and waits for their
    // microtasks with setImmediate (kernel state never moves there; its measurements reach the kernel as reports).
    const ambient = /\b(setTimeout|setImmediate|setInterval|Date\.now|Math\.random)\s*\(/;
    const offenders = [...graph.keys()]
      .filter((f) => f !== 'domain/wasm/prelude.ts' && f !== 'exec/worker.ts')
      .filter((f) => readFileSync(join(src, f), 'utf8').split('\n').some((line) => !line.trim().startsWith('//') && ambient.test(line)));
    expect(offenders).toEqual([]);
  });
});

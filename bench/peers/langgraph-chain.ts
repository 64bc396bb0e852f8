// The LangGraph peer of bench/planner.ts: @langchain/langgraph (pinned in package.json) running the same chain of
// N trivial steps (each echoes its input), with a checkpointer so every step is saved: its SQLite checkpointer
// (file in a temp folder, the durable comparison with the planner's journal) and its in-memory MemorySaver.
// Returns milliseconds per step for each.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotation, END, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';

const State = Annotation.Root({ value: Annotation<number>() });

function chain(n: number) {
  // Built untyped: node names are only known at run time.
  const g = new StateGraph(State) as unknown as {
    addNode(name: string, fn: (s: { value: number }) => { value: number }): void;
    addEdge(a: string, b: string): void;
    compile(o: { checkpointer: unknown }): { invoke(input: unknown, cfg: unknown): Promise<{ value: number }> };
  };
  for (let i = 0; i < n; i++) g.addNode(`s${i}`, (s) => ({ value: s.value + 1 }));
  g.addEdge(START, 's0');
  for (let i = 1; i < n; i++) g.addEdge(`s${i - 1}`, `s${i}`);
  g.addEdge(`s${n - 1}`, END);
  return g;
}

async function run(n: number, checkpointer: unknown, thread: string): Promise<number> {
  const app = chain(n).compile({ checkpointer });
  const cfg = { configurable: { thread_id: thread }, recursionLimit: n + 10 };
  await app.invoke({ value: 0 }, { ...cfg, configurable: { thread_id: `${thread}-warm` } });
  const t0 = performance.now();
  const out = await app.invoke({ value: 0 }, cfg);
  const ms = performance.now() - t0;
  if (out.value !== n) throw new Error(`langgraph chain gave ${out.value}, not ${n}`);
  return ms / n;
}

/** Per-step milliseconds of a chain of n steps under LangGraph's SQLite checkpointer and its MemorySaver. */
export async function langgraphChain(n: number): Promise<{ sqliteMsPerStep: number; memoryMsPerStep: number }> {
  const sqlite = SqliteSaver.fromConnString(join(mkdtempSync(join(tmpdir(), 'aios-bench-langgraph-')), 'checkpoints.db'));
  const sqliteMsPerStep = await run(n, sqlite, 'sqlite');
  const memoryMsPerStep = await run(n, new MemorySaver(), 'memory');
  return { sqliteMsPerStep, memoryMsPerStep };
}

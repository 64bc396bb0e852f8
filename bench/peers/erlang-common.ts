// Shared printing for bench/peers/erlang-*.ts: one JSON document with Erlang's figure, AIOS native and wasm
// figures from the same run, the ratios (AIOS / Erlang, higher is better for rates) and the goal.
import { round } from '../lib/stats.ts';
import { configuration } from './erlang.ts';

export interface Arm {
  perSec: number;
  [k: string]: number;
}

export function report(bench: string, n: Record<string, number>, erlang: Arm, native: Arm, wasm: Arm | null, goal: Record<string, number> | null, config: Record<string, unknown> = {}): void {
  const ratio = (a: Arm) => round(a.perSec / erlang.perSec, 3);
  const nativeRatio = ratio(native);
  console.log(JSON.stringify({
    bench,
    configuration: configuration(config),
    n,
    erlang: roundAll(erlang),
    aiosNative: { ...roundAll(native), ratioToErlang: nativeRatio },
    aiosWasm: wasm ? { ...roundAll(wasm), ratioToErlang: ratio(wasm) } : 'skipped (--skip-wasm)',
    goal: goal ?? 'none (reported for comparison)',
    met: goal ? nativeRatio >= goal.nativeRatioToErlang_at_least! : null,
  }, null, 2));
}

function roundAll(a: Arm): Record<string, number> {
  return Object.fromEntries(Object.entries(a).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, round(v, /us|Us|secs/.test(k) ? 3 : 0)]));
}

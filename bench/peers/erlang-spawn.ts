// Peer benchmark: spawn + exit per second, Erlang/OTP processes against AIOS agents (native and wasm), same
// run, at most 64 in flight, every exit observed by the parent. Erlang runs one scheduler (+S 1), as a
// node's kernel runs on one thread. `--full` runs ten times more.
import { isFull } from '../lib/stats.ts';
import { aiosSpawnExit } from './aios-side.ts';
import { haveErlang, runErlang } from './erlang.ts';
import { report } from './erlang-common.ts';

if (!haveErlang()) throw new Error('erl is not on the PATH: install Erlang/OTP to run the peer benchmarks');
const N = isFull() ? 200_000 : 20_000;
const NW = isFull() ? 20_000 : 2_000;
const erl = runErlang('spawn_exit', N * 5) as { perSec: number };
const native = await aiosSpawnExit('native', N);
const wasm = process.argv.includes('--skip-wasm') ? null : await aiosSpawnExit('wasm', NW);
report('peer-erlang-spawn-exit', { erlang: N * 5, native: N, wasm: NW }, erl, native, wasm, null, { behaviourMonitor: 'off: it reads 64 spawns in flight as a spawn bomb' });

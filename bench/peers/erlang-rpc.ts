// Peer benchmark: request/reply round trips (1 KiB request, small reply, one outstanding), Erlang/OTP
// (gen_server:call's message shape) against AIOS agents (native and wasm), same run; rate and p50/p99.
// Goal (issue 13): native AIOS within 2x of Erlang.
import { isFull } from '../lib/stats.ts';
import { aiosRpc } from './aios-side.ts';
import { haveErlang, runErlang } from './erlang.ts';
import { report } from './erlang-common.ts';

if (!haveErlang()) throw new Error('erl is not on the PATH: install Erlang/OTP to run the peer benchmarks');
const N = isFull() ? 1_000_000 : 100_000;
const NW = isFull() ? 100_000 : 20_000;
const erl = runErlang('rpc', N) as { perSec: number };
const native = await aiosRpc('native', N);
const wasm = process.argv.includes('--skip-wasm') ? null : await aiosRpc('wasm', NW);
report('peer-erlang-rpc', { erlang: N, native: N, wasm: NW }, erl, native, wasm, { nativeRatioToErlang_at_least: 0.5 });

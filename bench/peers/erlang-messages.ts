// Peer benchmark: 1 KiB messages per second between two processes, Erlang/OTP against AIOS agents (native
// and wasm), same run. Both sides bound the receiver's mailbox (Erlang by a credit window, AIOS by its
// bounded mailbox and EAGAIN). Goal (issue 13): native AIOS within 2x of Erlang.
import { isFull } from '../lib/stats.ts';
import { aiosMessages } from './aios-side.ts';
import { haveErlang, runErlang } from './erlang.ts';
import { report } from './erlang-common.ts';

if (!haveErlang()) throw new Error('erl is not on the PATH: install Erlang/OTP to run the peer benchmarks');
const N = isFull() ? 5_000_000 : 1_000_000;
const NW = isFull() ? 200_000 : 50_000;
const erl = runErlang('messages', N) as { perSec: number };
const native = await aiosMessages('native', N);
const wasm = process.argv.includes('--skip-wasm') ? null : await aiosMessages('wasm', NW);
report('peer-erlang-messages-1KiB', { erlang: N, native: N, wasm: NW }, erl, native, wasm, { nativeRatioToErlang_at_least: 0.5 });

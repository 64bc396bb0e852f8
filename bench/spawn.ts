// Benchmark: spawn plus exit of native agents (cached image), at most 64 in flight, every exit seen by the
// parent, against the like-for-like peer in the same run: Erlang/OTP processes spawned and monitored to
// exit with the same 64 in flight (bench/peers/aios_peer.erl, one BEAM scheduler as the kernel has one
// thread). The behaviour monitor is reported both ways: off, and on with only its spawn-burst threshold
// raised (at its default it quarantines any spawner of more than 1,000 agents a second, this bench included).
// Run: npx tsx --conditions=aios-source bench/spawn.ts [--full]
import { aiosSpawnExit } from './peers/aios-side.ts';
import { haveErlang, runErlang } from './peers/erlang.ts';
import { configuration } from './lib/config.ts';
import { isFull, round } from './lib/stats.ts';

const N = isFull() ? 100_000 : 20_000;
const NE = N * 5; // Erlang is faster: more work so its figure is not dominated by start-up
const MONITOR_ON = { burstSpawns: 1e12 };
const GOAL = 20_000;

const erlang = haveErlang() ? (runErlang('spawn_exit', NE) as { perSec: number; secs: number }) : null;
const off = await aiosSpawnExit('native', N, false);
const on = await aiosSpawnExit('native', N, MONITOR_ON);
const vsErlang = (r: number) => (erlang ? round(r / erlang.perSec, 3) : null);
console.log(JSON.stringify({
  bench: 'spawn-exit-native',
  configuration: configuration({
    agents: N, erlangProcesses: NE, domain: 'native', inFlight: 64, image: 'cached (warmed before timing)', erlSchedulers: 1,
    behaviourMonitor: { off: 'arm monitorOff', on: `arm monitorOn: default thresholds except burstSpawns ${MONITOR_ON.burstSpawns} (the default 1,000/s quarantines the spawner)` },
  }),
  ours: { monitorOff: { perSec: Math.round(off.perSec), secs: round(off.secs) }, monitorOn: { perSec: Math.round(on.perSec), secs: round(on.secs) } },
  baseline: erlang ? { name: 'Erlang/OTP spawn_monitor to DOWN, 64 in flight (+S 1)', perSec: Math.round(erlang.perSec), secs: round(erlang.secs) } : { name: 'Erlang/OTP', skipped: 'erl is not on the PATH' },
  ratioToErlang: { monitorOff: vsErlang(off.perSec), monitorOn: vsErlang(on.perSec) },
  goal: { perSec_at_least: GOAL, judgedOn: 'monitorOn (the monitor on is how a node runs); ratio to Erlang is reported, the issue sets no figure for spawn' },
  met: on.perSec >= GOAL,
}, null, 2));

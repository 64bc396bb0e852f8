// Runs the Erlang/OTP side of the peer benchmarks: compiles bench/peers/aios_peer.erl with `erlc` into a
// temporary folder and runs one of its workloads under `erl -noshell`, which prints one JSON line.
// Erlang is the runtime OS people compare an agent runtime with; it is measured in the same run as AIOS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface ErlangResult {
  [k: string]: number | string;
}

/** True when `erl` and `erlc` are on the PATH. */
export function haveErlang(): boolean {
  try {
    execFileSync('erl', ['-noshell', '-eval', 'halt().'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs aios_peer:WORKLOAD(N) with `schedulers` BEAM schedulers (+S) and returns its JSON result. */
export function runErlang(workload: 'spawn_exit' | 'messages' | 'rpc' | 'crunch', n: number | string, schedulers = 1): ErlangResult {
  const dir = mkdtempSync(join(tmpdir(), 'aios-erl-'));
  try {
    execFileSync('erlc', ['-o', dir, join(here, 'aios_peer.erl')], { stdio: 'inherit' });
    const out = execFileSync('erl', [`+S`, `${schedulers}:${schedulers}`, '-noshell', '-pa', dir, '-eval', `aios_peer:${workload}(${n}), halt().`], { encoding: 'utf8' });
    const line = out.trim().split('\n').pop()!;
    return JSON.parse(line) as ErlangResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which configuration the bench ran under, printed with every result. */
export function configuration(extra: Record<string, unknown> = {}): Record<string, unknown> {
  let otp = 'unknown';
  try {
    otp = execFileSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8' }).trim();
  } catch {
    /* no erl */
  }
  return { node: process.version, otp, cpus: availableParallelism(), erlSchedulers: 1, behaviourMonitor: 'on (default)', ...extra };
}

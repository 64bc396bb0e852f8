// A hostile agent for the fuzz test: drives a seeded random sequence of raw syscalls (every
// row of the abi table) with adversarial arguments through its own gate, bypassing the typed
// stubs, and logs `BAD <json>` for any outcome that is neither a value nor an AiosError with a
// taxonomy code, then `DONE <json>` with its counts. config: { seed, steps, deadline }.
// Spawned in both domains (the same image); trusts nothing, is trusted by nothing.

import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
import { ERROR_CODES, SYSCALLS, type SyscallRow } from '@aios/abi';
import { ArgGen, SENTINEL, type Pools } from './args.ts';
import { Rng } from './rng.ts';

/**
 * The rows the sequences pick from: the whole table. (The reshuffled default seed once found a proxy whose ownKeys
 * trap returned 200,000 keys: QuickJS's quadratic duplicate check ran ~15 s in C, past the interrupt; the prelude
 * now bounds ownKeys results, see tests/attacks/sandbox-proxy.test.ts.)
 */
const PICKED: readonly SyscallRow[] = SYSCALLS;

declare const __aios_trap: (nr: number, args: unknown[]) => unknown;

interface Config {
  seed: number;
  steps: number;
  deadline: boolean;
}

/** 'ok', a taxonomy code, 'own' (the agent's own sentinel), 'exit', or a description of a bad outcome. */
function classify(e: unknown): string {
  if (typeof e !== 'object' || e === null) return `bad:non-error ${typeof e}`;
  const x = e as { code?: unknown; message?: unknown; name?: unknown };
  const msg = typeof x.message === 'string' ? x.message : '';
  if (x.name === 'AgentExit' || msg === 'agent exited') return 'exit';
  if (typeof x.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, x.code)) return x.code;
  if (msg.includes(SENTINEL) || /revoked/.test(msg)) return 'own';
  return `bad:${String(x.name)}: ${msg.slice(0, 200)}`;
}

export default defineAgent({
  name: 'hostile',
  async main() {
    const cfg = k.selfInfo().config as Config;
    const rng = new Rng(cfg.seed);
    const pools: Pools = { handles: [k.selfHandle()], tickets: [], addrs: [], pool: [] };
    for (const n of k.nsList()) pools.handles.push(k.nsLookup(n));
    // A revoked and a closed handle to start from; the fuzz makes more.
    const revoked = k.capDerive(k.selfHandle(), 0);
    k.capRevoke(revoked);
    const closed = k.capDerive(k.selfHandle(), 0);
    k.handleClose(closed);
    pools.handles.push(revoked, closed);
    const gen = new ArgGen(rng, pools, cfg.deadline);
    const counts: Record<string, number> = {};
    const bad: string[] = [];
    const note = (row: SyscallRow, outcome: string): void => {
      counts[outcome.startsWith('bad:') ? 'bad' : outcome] = (counts[outcome.startsWith('bad:') ? 'bad' : outcome] ?? 0) + 1;
      if (outcome.startsWith('bad:') && bad.length < 8) {
        bad.push(`${row.name} ${outcome}`);
        k.log(`BAD ${JSON.stringify({ seed: cfg.seed, syscall: row.name, outcome })}`);
      }
    };
    const learn = (row: SyscallRow, v: unknown): void => {
      if (typeof v !== 'number') return;
      if (row.returns === 'Handle') pools.handles.push(v);
      else if (row.returns === 'Ticket') pools.tickets.push(v);
      else if (row.name === 'AgentPoolAlloc') pools.pool.push(v);
      else if (row.returns === 'VAddr') pools.addrs.push(v);
      if (pools.handles.length > 200) pools.handles.splice(1, 50);
    };
    for (let i = 0; i < cfg.steps; i++) {
      const row = rng.pick(PICKED);
      if (row.name === 'Exit' && !rng.chance(0.02)) continue;
      const args = row.params.map((p) => (rng.chance(0.1) ? undefined : gen.value(p.type)));
      if (rng.chance(0.05)) args.push(gen.hostile());
      if (rng.chance(0.05)) args.length = rng.int(args.length + 1);
      let r: unknown;
      try {
        r = __aios_trap(row.nr, rng.chance(0.01) ? (gen.hostile() as unknown[]) : args);
      } catch (e) {
        const c = classify(e);
        if (c === 'exit') throw e;
        note(row, c);
        continue;
      }
      if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
        // Blocking calls are left pending (a hostile agent need not wait); their outcome is still checked.
        (r as Promise<unknown>).then((v) => { note(row, 'ok'); learn(row, v); }, (e: unknown) => { const c = classify(e); if (c !== 'exit') note(row, c); });
      } else {
        note(row, 'ok');
        learn(row, r);
        if (row.name === 'CapDerive' && typeof r === 'number' && rng.chance(0.3)) {
          try {
            if (rng.chance(0.5)) k.capRevoke(r);
            else k.handleClose(r);
          } catch (e) {
            note(row, classify(e));
          }
        }
      }
      if (i % 8 === 7) await k.schedYield();
    }
    k.log(`DONE ${JSON.stringify({ seed: cfg.seed, counts, bad })}`);
  },
});

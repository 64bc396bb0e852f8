// The shutdown convention between a supervisor (or initd) and its children, and
// the stop procedure built on it: ask, wait up to the timeout, then brutal-kill.
//
// Convention: a child asked to stop receives a message tagged 'shutdown' (empty
// payload, `from` = the asking agent). It should release what it holds and end:
// return from main, or call exit(0). A child that ignores it is killed after the
// timeout (exit code 137). `isShutdownRequest(msg)` recognises the message.

import type { AgentId, Handle, Message } from '@aios/abi';
import { agentKill, ipcSend } from '../kernel/stubs.gen.ts';
import type { Inbox } from './inbox.ts';
import { isNotice, readNotice } from './inbox.ts';
import { hasCode } from '@aios/abi';

/** The tag of a shutdown request. */
export const SHUTDOWN_TAG = 'shutdown';

/** How a child is stopped: 'brutal_kill' at once, a number of ms to wait after asking, or 'infinity'. */
export type Shutdown = 'brutal_kill' | 'infinity' | number;

/** True when a message is a shutdown request (check msg.from too when only the parent may ask). */
export function isShutdownRequest(msg: Message): boolean {
  return msg.tag === SHUTDOWN_TAG;
}

/** Asks an agent to stop (needs SEND on the handle). ESRCH when it has already exited. */
export function requestShutdown(agent: Handle): void {
  ipcSend(agent, new Uint8Array(0), { tag: SHUTDOWN_TAG });
}

export interface StopTarget {
  handle: Handle;
  agent: AgentId;
  shutdown: Shutdown;
}

export interface StopResult {
  agent: AgentId;
  /** True when the child ended on its own after the request; false when it was killed. */
  graceful: boolean;
  code: number;
  reason: string;
}

function tryKill(h: Handle, why: string): void {
  try {
    agentKill(h, why);
  } catch (e) {
    if (!hasCode(e, 'ESRCH')) throw e;
  }
}

/**
 * Stops agents in parallel: each gets its request (or its kill) at once, and each
 * is killed when its own timeout passes. Consumes their exit notices from the inbox
 * (other messages stay stashed). The caller must be their parent or supervisor.
 */
export async function stopAgents(inbox: Inbox, now: () => number, targets: StopTarget[]): Promise<StopResult[]> {
  const t0 = now();
  const pending = new Map<AgentId, StopTarget & { deadline: number; killed: boolean }>();
  for (const t of targets) {
    if (t.shutdown === 'brutal_kill') {
      tryKill(t.handle, 'shutdown: brutal_kill');
      pending.set(t.agent, { ...t, deadline: t0, killed: true });
      continue;
    }
    try {
      requestShutdown(t.handle);
    } catch (e) {
      if (!hasCode(e, 'ESRCH')) throw e; // already gone: its notice is on the way
    }
    pending.set(t.agent, { ...t, deadline: t.shutdown === 'infinity' ? Infinity : t0 + Math.max(0, t.shutdown), killed: false });
  }
  const out: StopResult[] = [];
  while (pending.size > 0) {
    for (const p of pending.values()) {
      if (!p.killed && p.deadline <= now()) {
        p.killed = true;
        tryKill(p.handle, 'shutdown: timeout');
      }
    }
    const live = [...pending.values()].filter((p) => !p.killed).map((p) => p.deadline);
    const next = live.length === 0 ? 1_000 : Math.min(...live) - now();
    const m = await inbox.waitFor((x) => isNotice(x) && pending.has(x.from), next === Infinity ? undefined : Math.max(0, Math.ceil(next)));
    if (m === null) {
      // A killed agent's notice is delivered at once; if none came, it was taken elsewhere: stop waiting.
      if (live.length === 0) {
        for (const p of pending.values()) out.push({ agent: p.agent, graceful: false, code: 137, reason: 'killed (no notice seen)' });
        pending.clear();
      }
      continue;
    }
    const p = pending.get(m.from)!;
    pending.delete(m.from);
    const n = readNotice(m);
    out.push({ agent: m.from, graceful: !p.killed, code: n?.code ?? 0, reason: n?.reason ?? '' });
  }
  return out;
}

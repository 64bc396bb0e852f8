// The one selective-receive inbox of an agent instance (Erlang's `receive` with patterns). Every client that
// waits for a particular message (call / ask / the memory client / supervisors' exit notices) waits here; one
// receive loop takes messages from the mailbox, hands each to the oldest waiter whose pattern matches, and sets
// every other message aside in arrival order. The entry (agent/entry.ts) delivers set-aside messages to
// onMessage / intents before the activation ends, so the kernel acknowledges a durable agent's receipts only
// once they were handled (sys_ipc.ts ackReceived). Module state: the runtime is instantiated once per agent.
// Trusts the kernel's stamping of `from` and tags only.

import { AiosError, limits, type Message, hasCode } from '@aios/abi';
import { clockNow, ipcWait } from '../kernel/stubs.gen.ts';

interface Waiter {
  match(m: Message): boolean;
  /** A catch-all waiter (receive/next) gets a message only when no specific waiter wants it. */
  any: boolean;
  deadline: number;
  resolve(m: Message | null): void;
  reject(e: unknown): void;
}

const setAside: Message[] = [];
const waiters: Waiter[] = [];
let pumping = false;

/** Hands a message to the waiter that wants it; true when one took it. */
function offer(m: Message): boolean {
  let i = waiters.findIndex((w) => !w.any && w.match(m));
  if (i < 0) i = waiters.findIndex((w) => w.any && w.match(m));
  if (i < 0) return false;
  const [w] = waiters.splice(i, 1);
  w!.resolve(m);
  return true;
}

/** Resolves null to every waiter whose deadline has passed. */
function expire(now: number): void {
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i]!;
    if (w.deadline <= now) {
      waiters.splice(i, 1);
      w.resolve(null);
    }
  }
}

/** The single receive loop, running while anyone waits. Polls the mailbox at least once per waiter. */
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    while (waiters.length > 0) {
      const now = clockNow();
      let next = Infinity;
      for (const w of waiters) next = Math.min(next, w.deadline);
      let m: Message | undefined;
      try {
        // Bounded, so a waiter added during this wait with an earlier deadline is noticed (limits.INBOX_POLL_MS).
        m = await ipcWait(Math.min(limits.INBOX_POLL_MS, next === Infinity ? Infinity : Math.max(0, Math.ceil(next - now))));
      } catch (e) {
        if (!hasCode(e, 'ETIMEDOUT')) {
          for (const w of waiters.splice(0)) w.reject(e);
          break;
        }
      }
      if (m !== undefined && !offer(m)) setAside.push(m);
      expire(clockNow());
    }
  } finally {
    pumping = false;
  }
}

function wait(match: (m: Message) => boolean, any: boolean, timeoutMs: number | undefined): Promise<Message | null> {
  const i = setAside.findIndex(match);
  if (i >= 0) return Promise.resolve(setAside.splice(i, 1)[0]!);
  const deadline = timeoutMs === undefined ? Infinity : clockNow() + timeoutMs;
  const p = new Promise<Message | null>((resolve, reject) => waiters.push({ match, any, deadline, resolve, reject }));
  void pump();
  return p;
}

/**
 * Waits for the first message that matches: a set-aside one first, else from the mailbox (other messages are
 * set aside in arrival order). Resolves null when timeoutMs passes first (undefined: wait forever). Several
 * waits may be pending at once; each message goes to the oldest waiter that matches it.
 */
export function waitFor(match: (m: Message) => boolean, timeoutMs?: number): Promise<Message | null> {
  return wait(match, false, timeoutMs);
}

/** The oldest set-aside message, else the next from the mailbox no specific waiter wants (ETIMEDOUT after timeoutMs). */
export async function next(timeoutMs?: number): Promise<Message> {
  const m = await wait(() => true, true, timeoutMs);
  if (m === null) throw new AiosError('ETIMEDOUT', `no message within ${timeoutMs} ms`, { timeoutMs });
  return m;
}

/** Takes the oldest set-aside message (the entry delivers these to onMessage), or undefined. */
export function takeSetAside(): Message | undefined {
  return setAside.shift();
}

/** How many messages are set aside. */
export function setAsideCount(): number {
  return setAside.length;
}

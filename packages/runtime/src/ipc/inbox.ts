// The one selective-receive inbox of an agent instance (Erlang's `receive` with patterns). Every client that
// waits for a particular message (call / ask / the memory client / supervisors' exit notices) waits here; one
// receive loop takes messages from the mailbox, hands each to the oldest waiter whose pattern matches, and sets
// every other message aside in arrival order. The entry (agent/entry.ts) delivers set-aside messages to
// onMessage / intents before the activation ends, so the kernel acknowledges a durable agent's receipts only
// once they were handled (sys_ipc.ts ackReceived). Module state: the runtime is instantiated once per agent.
// Trusts the kernel's stamping of `from` and tags only.

import { AiosError, limits, type Message, hasCode } from '@aios/abi';
import { clockNow, ipcWait, sleep } from '../kernel/stubs.gen.ts';

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
/** When the pump's IPCWait in flight ends (Infinity: it has no timeout); meaningful while pumping. */
let waitEnd = Infinity;
/** Ends of the Sleep timers in flight (see cover()). */
const timerEnds: number[] = [];
/** Set when a Sleep timer could not be started (EAGAIN): the pump then bounds its waits (limits.INBOX_POLL_MS). */
let bounded = false;

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

function earliestDeadline(): number {
  let next = Infinity;
  for (const w of waiters) next = Math.min(next, w.deadline);
  return next;
}

/**
 * Keeps every waiter's deadline noticed on time without polling. The pump's IPCWait ends at the earliest deadline
 * known when it started; a waiter added later with an earlier deadline (a call made while a server loop waits
 * forever for its next request) gets a Sleep timer that expires it, since a wait in flight cannot be shortened.
 * An idle agent therefore makes no syscall at all until a message comes or a deadline passes.
 */
function cover(): void {
  if (!pumping) return;
  const due = earliestDeadline();
  if (due === Infinity || due >= waitEnd || timerEnds.some((t) => t <= due)) return;
  const ms = Math.min(limits.MAX_TIMEOUT_MS, Math.max(1, Math.ceil(due - clockNow())));
  let timer: Promise<void>;
  try {
    timer = sleep(ms);
  } catch {
    bounded = true; // too many blocking calls in flight: fall back to bounded waits
    return;
  }
  const end = clockNow() + ms;
  timerEnds.push(end);
  timer.then(
    () => {
      timerEnds.splice(timerEnds.indexOf(end), 1);
      expire(clockNow());
      cover();
    },
    () => {
      timerEnds.splice(timerEnds.indexOf(end), 1);
      bounded = true;
    },
  );
}

/**
 * The single receive loop, running while anyone waits. Each IPCWait lasts until the earliest deadline of the
 * waiters (no timeout when none has one), so the loop never outlives its waiters by more than a message.
 */
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    while (waiters.length > 0) {
      const now = clockNow();
      const due = earliestDeadline();
      let timeout = due === Infinity ? undefined : Math.min(limits.MAX_TIMEOUT_MS, Math.max(0, Math.ceil(due - now)));
      if (bounded) timeout = Math.min(timeout ?? Infinity, limits.INBOX_POLL_MS);
      waitEnd = timeout === undefined ? Infinity : now + timeout;
      let m: Message | undefined;
      try {
        m = await ipcWait(timeout);
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
  if (pumping) cover();
  else void pump();
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

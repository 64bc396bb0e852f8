// Selective receive over IPCWait (Erlang's `receive` with a pattern): wait for
// one message that matches, keeping every other message, in order, for later.
// Trusts only the kernel's stamping of `from` and of the reserved tags.

import type { ExitNotice, Message } from '@aios/abi';
import { ipcWait } from '../kernel/stubs.gen.ts';
import { utf8Decode } from '../text.ts';

export interface Inbox {
  /** The next message: the oldest stashed one first, else the next from the mailbox (ETIMEDOUT after timeoutMs). */
  next(timeoutMs?: number): Promise<Message>;
  /**
   * Waits for the first message that matches, stashing the others in arrival order.
   * Resolves null when timeoutMs passes first (undefined: wait forever).
   */
  waitFor(match: (m: Message) => boolean, timeoutMs?: number): Promise<Message | null>;
  /** Messages stashed by waitFor and not yet taken by next(). */
  readonly stashed: number;
}

/** True for a kernel exit or trap notice (tags only the kernel can set). */
export function isNotice(m: Message): boolean {
  return m.tag === 'exit' || m.tag === 'trap';
}


/** Parses an exit or trap notice; null when the message is not one. */
export function readNotice(m: Message): ExitNotice | null {
  if (!isNotice(m)) return null;
  try {
    return JSON.parse(utf8Decode(m.data)) as ExitNotice;
  } catch {
    return null;
  }
}

/**
 * Selective receive over a stash: the first stashed message that matches, else messages from the
 * mailbox until one matches (the others are stashed in arrival order); null when timeoutMs passes.
 */
export async function waitForMatch(stash: Message[], match: (m: Message) => boolean, timeoutMs: number | undefined, now: () => number): Promise<Message | null> {
  const i = stash.findIndex(match);
  if (i >= 0) return stash.splice(i, 1)[0]!;
  const deadline = timeoutMs === undefined ? Infinity : now() + timeoutMs;
  for (;;) {
    const left = deadline === Infinity ? undefined : Math.max(0, Math.ceil(deadline - now()));
    let m: Message;
    try {
      m = await ipcWait(left);
    } catch (e) {
      if ((e as { code?: string }).code === 'ETIMEDOUT') return null;
      throw e;
    }
    if (match(m)) return m;
    stash.push(m);
  }
}

/** Creates the inbox of the calling agent. One per agent: two inboxes would steal each other's messages. */
export function createInbox(now: () => number): Inbox {
  const stash: Message[] = [];
  return {
    get stashed() {
      return stash.length;
    },
    async next(timeoutMs?: number): Promise<Message> {
      const m = stash.shift();
      if (m !== undefined) return m;
      return ipcWait(timeoutMs);
    },
    waitFor(match, timeoutMs) {
      return waitForMatch(stash, match, timeoutMs, now);
    },

  };
}

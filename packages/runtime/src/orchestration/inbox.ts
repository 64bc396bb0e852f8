// Selective receive for main loops (supervisors, initd): a view of the agent's one inbox (ipc/inbox.ts), so a
// supervisor waiting for exit notices and a call() waiting for a reply never steal each other's messages.
// Trusts only the kernel's stamping of `from` and of the reserved tags.

import type { ExitNotice, Message } from '@aios/abi';
import { next, setAsideCount, waitFor } from '../ipc/inbox.ts';
import { utf8Decode } from '../text.ts';

export interface Inbox {
  /** The next message: the oldest set-aside one first, else the next from the mailbox (ETIMEDOUT after timeoutMs). */
  next(timeoutMs?: number): Promise<Message>;
  /**
   * Waits for the first message that matches, setting the others aside in arrival order.
   * Resolves null when timeoutMs passes first (undefined: wait forever).
   */
  waitFor(match: (m: Message) => boolean, timeoutMs?: number): Promise<Message | null>;
  /** Messages set aside and not yet taken by next(). */
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

/** The calling agent's inbox. Every Inbox of an agent is the same one (`now` is kept for compatibility). */
export function createInbox(_now?: () => number): Inbox {
  return {
    get stashed() {
      return setAsideCount();
    },
    next,
    waitFor,
  };
}

// Messages taken from the mailbox while the agent waited for a reply (ask, multicast, negotiate) that were
// not that reply. They are kept in arrival order and handed back: receive() takes them first, and the entry
// delivers them to onMessage / intents when the current activation ends. One per agent instance.

import type { Message } from '@aios/abi';

const stash: Message[] = [];

/** Keeps a message for later (arrival order). */
export function stashMessage(m: Message): void {
  stash.push(m);
}

/** The oldest stashed message, or undefined. */
export function takeStashed(): Message | undefined {
  return stash.shift();
}

/** How many messages are stashed. */
export function stashedCount(): number {
  return stash.length;
}

// Agents on other nodes, as the kernel sees them: a local Agent record (named NAME@NODE, never runs) whose
// `remote` port carries what is sent to it. The node's cluster layer supplies the ports (RemoteResolver);
// the kernel only asks it whether a send may go now (credit) and hands it the copied message.
import type { Message } from '@aios/abi';

export interface RemotePort {
  /** 'NAME@NODE' */
  readonly address: string;
  /** False when the link has no credit for this agent: the send is EAGAIN, as for a full mailbox. */
  canSend(): boolean;
  /** Takes one message sent to the remote agent (payload already copied; handles are the receiver-side numbers, always none today). */
  send(msg: Message): void;
}

/** Resolves 'NAME@NODE' to a port, or null when the directory has no such live agent. */
export type RemoteResolver = (address: string) => RemotePort | null;

/** 'NAME@NODE' with a non-empty name and a node name of letters, digits, - or _. */
export const REMOTE_ADDRESS_RE = /^[^@\s]{1,128}@[A-Za-z0-9_-]{1,64}$/;

// Agents on other nodes, as the kernel sees them: a local Agent record (named NAME@NODE, never runs) whose
// `remote` port carries what is sent to it. The node's cluster layer supplies the ports (RemoteResolver);
// the kernel only asks it whether a send may go now (credit) and hands it the copied message. Handles sent
// to a remote agent leave as grants: a node of the derivation tree, child of the sender's handle, that the
// cluster layer owns (and turns into a signed token); revoking the sender's handle or an ancestor revokes it.
import type { AgentImage, Message } from '@aios/abi';
import { CapNode, type HandleOwner, type KObject } from '../cap/captree.ts';

/** A handle on its way to another node: the sender's handle's node and the (narrowed) rights to grant. */
export interface RemoteTransfer {
  readonly parent: CapNode;
  readonly rights: number;
}

export interface RemotePort {
  /** 'NAME@NODE' */
  readonly address: string;
  /** False when the link has no credit for this agent: the send is EAGAIN, as for a full mailbox. */
  canSend(): boolean;
  /**
   * Takes one message sent to the remote agent (payload already copied; msg.handles is empty). `transfers`
   * are the handles it carries (only when carriesHandles): the port derives and signs them, or throws
   * (EQUOTA, EPERM) before anything leaves.
   */
  send(msg: Message, transfers?: readonly RemoteTransfer[]): void;
  /** True when the cluster layer can carry handles to this agent (capability tokens); else they are ENOSYS. */
  readonly carriesHandles?: boolean;
}

/** Resolves 'NAME@NODE' to a port, or null when the directory has no such live agent. */
export type RemoteResolver = (address: string) => RemotePort | null;

/** Spawns on another node (AgentSpawn with opts.node); resolves to the new agent's 'NAME@NODE' address. */
export interface RemoteSpawner {
  /** This node's name: opts.node naming it spawns locally. */
  readonly node: string;
  spawn(node: string, image: AgentImage, opts: { name?: string; config?: unknown }): Promise<string>;
}

/** 'NAME@NODE' with a non-empty name and a node name of letters, digits, - or _. */
export const REMOTE_ADDRESS_RE = /^[^@\s]{1,128}@[A-Za-z0-9_-]{1,64}$/;

/**
 * A grant for another node: a child of `parent` in the derivation tree with `rights` (a subset, checked by
 * the caller), held by `owner` under `slot`; revoking `parent` or an ancestor calls owner.dropHandle(slot).
 */
export function deriveRemoteGrant(parent: CapNode, object: KObject, rights: number, owner: HandleOwner, slot: number, expires: number | undefined): CapNode {
  return new CapNode(object, rights, owner, slot, parent, expires);
}

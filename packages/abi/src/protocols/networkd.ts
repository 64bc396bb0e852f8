// networkd's protocol: what agents ask the cluster service (docs/cluster.md). The node's cluster membership is a
// `transport` device networkd holds; these ops are its agent-facing side. Addresses are 'NAME@NODE'.
import type { IntentManifest } from '../types.ts';
import type { WireError } from './envelope.ts';
import { defineProtocol, op } from './define.ts';

export type ClusterNodeState = 'up' | 'suspect' | 'down';

/** One node as the directory lists it. */
export interface ClusterNodeRow {
  name: string;
  state: ClusterNodeState;
  agents: number;
  load: number;
  services: string[];
  self: boolean;
}

/** One agent of the directory (any node). */
export interface ClusterAgentRow {
  address: string;
  node: string;
  name: string;
  id: number;
  intents: string[];
  load: number;
}

/** Where an ask was answered, with the handler's result. */
export interface ClusterAskResult {
  node: string;
  result: unknown;
  /** Nodes tried before the answer that failed (down, unreachable, no route there). */
  failedOver: string[];
}

/** A remote agent serving intents, as networkd hands the directory to semantic-ipcd (manifests: name, description, examples). */
export interface RemoteIntentAgent {
  node: string;
  name: string;
  /** Its id on its node. */
  id: number;
  intents: IntentManifest[];
  load: number;
}

/** The cluster as semantic-ipcd needs it: this node's name, the live remote nodes, their agents with intents. */
export interface RemoteDirectory {
  /** This node's name. */
  node: string;
  /** Changes whenever the agents or the nodes' states or loads change. */
  version: string;
  nodes: Array<{ name: string; state: ClusterNodeState; load: number }>;
  agents: RemoteIntentAgent[];
}

/**
 * One routed request semantic-ipcd sends to the semantic-ipcd of another node (op 'forward', accepted from the
 * local semantic-ipcd only). `kind` is what the remote node runs among its local agents: 'ask' (one answer; `agent`
 * pins the instance) or 'negotiate' (the bid of `agent`, or of every local instance of `intent`).
 */
export interface RemoteForward {
  node: string;
  kind: 'ask' | 'negotiate';
  intent: string;
  agent?: number;
  text?: string;
  payload?: unknown;
  timeoutMs: number;
  /** The asker's address on this node (NAME@NODE or #ID@NODE): the remote allow policy sees it. */
  asker: string;
  onBehalfOf?: { agent: number; name: string };
  step?: { key: string; attempt: number };
  /** W3C traceparent of the asker's request, carried to the remote node. */
  trace?: string;
}

/** What the remote node answered: the handler's result or its error. A link failure rejects the op instead (EIO, ETIMEDOUT). */
export type RemoteReply = { ok: true; result: unknown } | { ok: false; error: WireError };

export const NETWORKD = defineProtocol('networkd', {
  nodes: op<Record<string, never>, ClusterNodeRow[]>([], 'lists the nodes of the cluster with their state'),
  lookup: op<{ address?: string; intent?: string }, ClusterAgentRow[]>(['EINVAL'], 'lists directory agents by address or by intent name'),
  spawn: op<{ node: string; source?: string; path?: string; name?: string }, { id: number; node: string; address: string }>(
    ['EINVAL', 'EACCES', 'ENOENT', 'EIO', 'ETIMEDOUT'], 'spawns an image on another node'),
  ask: op<{ text?: string; intent?: string; payload?: unknown; timeoutMs?: number }, ClusterAskResult>(
    ['EINVAL', 'ENOROUTE', 'ETIMEDOUT', 'EACCES', 'EIO'], 'asks by intent or text on every node: local first, then remote nodes by load, failing over to replicas'),
  forward: op<RemoteForward, RemoteReply>(['EINVAL', 'EPERM', 'ENOENT', 'EIO', 'ETIMEDOUT'],
    "semantic-ipcd's routed request to another node's semantic-ipcd; rejects only when the node cannot be reached"),
});

// networkd's protocol: what agents ask the cluster service (docs/cluster.md). The node's cluster membership is a
// `transport` device networkd holds; these ops are its agent-facing side. Addresses are 'NAME@NODE'.
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

export const NETWORKD = defineProtocol('networkd', {
  nodes: op<Record<string, never>, ClusterNodeRow[]>([], 'lists the nodes of the cluster with their state'),
  lookup: op<{ address?: string; intent?: string }, ClusterAgentRow[]>(['EINVAL'], 'lists directory agents by address or by intent name'),
  spawn: op<{ node: string; source?: string; path?: string; name?: string }, { id: number; node: string; address: string }>(
    ['EINVAL', 'EACCES', 'ENOENT', 'EIO', 'ETIMEDOUT'], 'spawns an image on another node'),
  ask: op<{ text?: string; intent?: string; payload?: unknown; timeoutMs?: number }, ClusterAskResult>(
    ['EINVAL', 'ENOROUTE', 'ETIMEDOUT', 'EACCES', 'EIO'], 'asks by intent or text on every node: local first, then remote nodes by load, failing over to replicas'),
});

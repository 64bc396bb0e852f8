// semantic-ipcd's protocol table: ask / multicast / negotiate / intents / status, called by agents (runtime
// `ask()` and friends) and the host (`aios ask`). The one place these ops are declared; semantic-ipcd's handlers
// and the runtime's client are typed by it. ask/multicast/negotiate need `text` or `intent`; `agent` (with
// `intent`) awards a bid; `timeoutMs` is how long the target may take (1..MAX_ASK_TIMEOUT_MS in abi/limits).

import type { AgentId } from '../types.ts';
import type { WireError } from './envelope.ts';
import type { RemoteDirectory } from './networkd.ts';
import { defineProtocol, op, type OpName } from './define.ts';

/** The request of a routed op. */
export interface RoutedRequest {
  text?: string;
  intent?: string;
  /** With `intent`: that agent only (awarding a bid). */
  agent?: AgentId;
  payload?: unknown;
  timeoutMs?: number;
  /** ask only: the agent the sender asks for (the planner, for a plan's submitter); the allow policy must admit both. */
  onBehalfOf?: { agent: AgentId; name: string };
  /** ask only: a plan step's idempotency key and attempt, passed to the handler (ctx.stepKey, ctx.attempt). */
  step?: { key: string; attempt: number };
  /** With `intent` and `agent`: the node of that agent (awarding a remote bid). */
  node?: string;
  /** 'local': this node's agents only (default: every node of the cluster). */
  scope?: 'local' | 'cluster';
  /** From the node itself only (a request another node forwarded): the remote asker, for the allow policy and audit. */
  via?: { node: string; asker: string };
}

/** Where an ask would go (match): the best intent, its score, and how it was found. */
export interface MatchResult {
  intent: string;
  score: number;
  via: string;
}

/** One target of a multicast and what it answered. */
export interface MulticastResult {
  agent: AgentId;
  intent: string;
  score: number;
  ok: boolean;
  result?: unknown;
  error?: WireError;
  /** The node of a remote target (absent: this node). */
  node?: string;
}

/** One bid of a negotiation (cheapest first). */
export interface BidOffer {
  agent: AgentId;
  intent: string;
  score: number;
  cost: number;
  timeMs?: number;
  bid: Record<string, unknown>;
  /** The node of a remote bidder (absent: this node); award() passes it back. */
  node?: string;
}

/** A registered intent as semantic-ipcd lists it. */
export interface IntentRow {
  agent: AgentId;
  agentName: string;
  intent: string;
  description?: string;
  examples?: string[];
  input?: unknown;
  output?: unknown;
}

/** semantic-ipcd's status: its embedder, the refusal threshold in force and where it came from, the judge. */
export interface SemanticStatus {
  embedder: boolean;
  embedderName: string | null;
  intents: number;
  threshold: number | null;
  thresholdSource: 'config' | 'registry' | 'default' | null;
  thresholdSamples?: number;
  thresholdLoo?: { inScopeAccuracy?: number; oosRecall?: number };
  judge: Record<string, unknown> | null;
  pending: number;
}

const ROUTED = ['EINVAL', 'EACCES', 'ENOROUTE', 'ENOSYS', 'ETIMEDOUT', 'EAGAIN', 'ESRCH', 'EIO'] as const;

export const SEMANTIC_IPCD = defineProtocol('semantic-ipcd', {
  ask: op<RoutedRequest, unknown>([...ROUTED], "routes to the best target (by meaning or intent name) and answers with its handler's result"),
  multicast: op<RoutedRequest, MulticastResult[]>([...ROUTED], 'delivers to every target above the threshold; every answer, errors included'),
  negotiate: op<RoutedRequest, BidOffer[]>([...ROUTED], 'asks the candidates for bids (contract-net), cheapest first; award with ask {intent, agent}'),
  intents: op<Record<string, never>, IntentRow[]>([], 'every registered intent'),
  status: op<Record<string, never>, SemanticStatus>([], 'embedder, threshold and judge in force'),
  match: op<RoutedRequest, MatchResult>(['EINVAL', 'ENOROUTE'], 'where an ask would go, without sending it (the offline planner matches goal clauses to intents)'),
  cluster: op<RemoteDirectory, { remotes: number }>(['EPERM', 'EINVAL'], "networkd hands over the cluster's remote intents (accepted from networkd only)"),
});

export type SemanticOp = OpName<typeof SEMANTIC_IPCD>;
/** semantic-ipcd's ops, derived from the table. */
export const SEMANTIC_IPCD_OPS = Object.keys(SEMANTIC_IPCD.ops) as readonly SemanticOp[];

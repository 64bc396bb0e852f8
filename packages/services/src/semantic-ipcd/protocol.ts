// semantic-ipcd's request checks and pure decisions: request validation, the service config, the allow policy and
// the least-loaded choice. The ops, their shapes and error codes are the protocol table (@aios/abi SEMANTIC_IPCD);
// what semantic-ipcd forwards to targets is the INTENTS table. Trusts nothing it parses (requests come from any
// agent holding SEND to the service).

import { AiosError, SEMANTIC_IPCD_OPS, limits, type SemanticOp } from '@aios/abi';
import { readJudgeConfig, type JudgeConfig } from './judge.ts';

/** Longest text kept in a route event. */
export const AUDIT_TEXT_CHARS = 200;

export type Op = SemanticOp;
const OPS = SEMANTIC_IPCD_OPS;

export interface ServiceRequest {
  id: unknown;
  op: Op;
  text?: string;
  intent?: string;
  agent?: number;
  payload?: unknown;
  timeoutMs: number;
  /**
   * ask only: the agent this request is made for (the planner running a plan step for its submitter). The allow
   * policy must admit BOTH the sender and this agent, so naming someone can only narrow what the sender reaches.
   */
  onBehalfOf?: { agent: number; name: string };
  /** ask only: a plan step's idempotency key and attempt, passed on to the handler (ctx.stepKey, ctx.attempt). */
  step?: { key: string; attempt: number };
  /** With intent and agent: the node of that agent (awarding a remote bid). */
  node?: string;
  /** 'local': this node's agents only (a request another node forwarded, or networkd's local-first ask). */
  scope: 'local' | 'cluster';
  /** The remote asker of a forwarded request (trusted only from the node itself: agent.ts checks the sender). */
  via?: { node: string; asker: string };
}

/** Parses a request (EINVAL naming the field). ask/multicast/negotiate need text or intent. */
export function readRequest(raw: unknown): ServiceRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AiosError('EINVAL', 'a request must be a JSON object', { arg: 'request' });
  const o = raw as Record<string, unknown>;
  if (!OPS.includes(o.op as Op)) throw new AiosError('EINVAL', `unknown op ${JSON.stringify(o.op)} (one of ${OPS.join(', ')})`, { arg: 'op' });
  const req: ServiceRequest = { id: o.id, op: o.op as Op, timeoutMs: limits.ASK_TIMEOUT_MS, scope: 'cluster' };
  if (o.text !== undefined) {
    if (typeof o.text !== 'string' || o.text.trim().length === 0) throw new AiosError('EINVAL', 'text must be a non-empty string', { arg: 'text' });
    req.text = o.text;
  }
  if (o.intent !== undefined) {
    if (typeof o.intent !== 'string' || o.intent.length === 0 || o.intent.length > 128) throw new AiosError('EINVAL', 'intent must be an intent name', { arg: 'intent' });
    req.intent = o.intent;
  }
  if (o.agent !== undefined) {
    if (!Number.isSafeInteger(o.agent) || (o.agent as number) < 1) throw new AiosError('EINVAL', 'agent must be an agent id', { arg: 'agent' });
    if (req.intent === undefined) throw new AiosError('EINVAL', 'agent needs intent (award a bid with {intent, agent})', { arg: 'agent' });
    req.agent = o.agent as number;
  }
  if (o.payload !== undefined) req.payload = o.payload;
  if (o.timeoutMs !== undefined) {
    if (!Number.isInteger(o.timeoutMs) || (o.timeoutMs as number) < 1 || (o.timeoutMs as number) > limits.ASK_MAX_TIMEOUT_MS) {
      throw new AiosError('EINVAL', `timeoutMs must be an integer from 1 to ${limits.ASK_MAX_TIMEOUT_MS}`, { arg: 'timeoutMs' });
    }
    req.timeoutMs = o.timeoutMs as number;
  }
  if (o.onBehalfOf !== undefined) {
    const b = o.onBehalfOf as { agent?: unknown; name?: unknown } | null;
    if (typeof b !== 'object' || b === null || !Number.isSafeInteger(b.agent) || typeof b.name !== 'string' || b.name.length > 256) {
      throw new AiosError('EINVAL', 'onBehalfOf must be { agent: id, name }', { arg: 'onBehalfOf' });
    }
    req.onBehalfOf = { agent: b.agent as number, name: b.name };
  }
  if (o.step !== undefined) {
    const st = o.step as { key?: unknown; attempt?: unknown } | null;
    if (typeof st !== 'object' || st === null || typeof st.key !== 'string' || st.key.length > 256 || !Number.isSafeInteger(st.attempt) || (st.attempt as number) < 1) {
      throw new AiosError('EINVAL', 'step must be { key, attempt }', { arg: 'step' });
    }
    req.step = { key: st.key, attempt: st.attempt as number };
  }
  if (o.node !== undefined) {
    if (typeof o.node !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(o.node)) throw new AiosError('EINVAL', 'node must be a node name', { arg: 'node' });
    if (req.agent === undefined) throw new AiosError('EINVAL', 'node needs intent and agent (award a remote bid)', { arg: 'node' });
    req.node = o.node;
  }
  if (o.scope !== undefined) {
    if (o.scope !== 'local' && o.scope !== 'cluster') throw new AiosError('EINVAL', "scope must be 'local' or 'cluster'", { arg: 'scope' });
    req.scope = o.scope;
  }
  if (o.via !== undefined) {
    const v = o.via as { node?: unknown; asker?: unknown } | null;
    if (typeof v !== 'object' || v === null || typeof v.node !== 'string' || typeof v.asker !== 'string' || v.asker.length > 200) {
      throw new AiosError('EINVAL', 'via must be { node, asker }', { arg: 'via' });
    }
    req.via = { node: v.node, asker: v.asker };
    req.scope = 'local'; // a forwarded request is never forwarded again
  }
  if ((req.op === 'ask' || req.op === 'multicast' || req.op === 'negotiate' || req.op === 'match') && req.text === undefined && req.intent === undefined) {
    throw new AiosError('EINVAL', `${req.op} needs text or intent`, { arg: 'text' });
  }
  return req;
}

/** One rule of the allow policy: agents whose name matches `from` may reach the intents matching `intents`. */
export interface AllowRule {
  from: string;
  intents: string[];
}

export interface SemanticConfig {
  /** Refusal threshold (default: the router's, calibrated for the wink embedder). */
  threshold?: number;
  /** When set, an ask is allowed only if a rule matches (asker name, intent name); otherwise EACCES. */
  allow?: AllowRule[];
  /** Extract a missing payload from the text with the model device (default false; needs 'model' in the namespace). */
  extract?: boolean;
  /**
   * Ask the model device to settle close routing calls (judge.ts): false off, true or an object (JudgeConfig fields)
   * on. Unset: on when the model device is a real model (not the offline stand-in, i.e. AIOS_LLM_* configured).
   */
  judge?: boolean | Partial<JudgeConfig>;
}

/** Reads the service's ctx.config (EINVAL on a malformed one: the unit is wrong, better to fail loudly). */
export function readConfig(raw: unknown): SemanticConfig {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AiosError('EINVAL', 'semantic-ipcd config must be an object', { arg: 'config' });
  const o = raw as Record<string, unknown>;
  const out: SemanticConfig = {};
  if (o.threshold !== undefined) {
    if (typeof o.threshold !== 'number' || !(o.threshold >= -1 && o.threshold <= 1)) throw new AiosError('EINVAL', 'config.threshold must be in [-1, 1]', { arg: 'config.threshold' });
    out.threshold = o.threshold;
  }
  if (o.allow !== undefined) {
    if (!Array.isArray(o.allow)) throw new AiosError('EINVAL', 'config.allow must be a list of {from, intents}', { arg: 'config.allow' });
    out.allow = o.allow.map((r, i) => {
      const rule = r as Record<string, unknown>;
      if (typeof rule?.from !== 'string' || !Array.isArray(rule.intents) || rule.intents.some((x) => typeof x !== 'string')) {
        throw new AiosError('EINVAL', `config.allow[${i}] must be {from: string, intents: string[]}`, { arg: `config.allow[${i}]` });
      }
      return { from: rule.from, intents: [...(rule.intents as string[])] };
    });
  }
  if (o.extract !== undefined) out.extract = o.extract === true;
  if (o.judge !== undefined) {
    if (o.judge === false) out.judge = false;
    else out.judge = readJudgeConfig(o.judge);
  }
  return out;
}

/** Glob match with '*' (any run of characters); everything else literal. */
export function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(s);
}

/** True when the policy lets `asker` (an agent name) reach `intent`. No rules: everything is allowed. */
export function allowed(rules: AllowRule[] | undefined, asker: string, intent: string): boolean {
  if (rules === undefined) return true;
  return rules.some((r) => globMatch(r.from, asker) && r.intents.some((p) => globMatch(p, intent)));
}

/** What semantic-ipcd knows about an instance's load. */
export interface Load {
  agent: number;
  /** Messages waiting in its mailbox (agentInfo().mailbox). */
  mailbox: number;
  /** Requests forwarded by semantic-ipcd and not yet answered. */
  inflight: number;
  /** Exponentially weighted mean reply latency in ms (undefined before the first reply). */
  latencyMs?: number;
  /** The instance's trust score (abi trustScore, 0..10); undefined counts as trusted. */
  trust?: number;
}

/**
 * The least loaded trusted instance: fewest queued + in-flight requests; among equals the lowest recent latency
 * (an instance never measured counts as 0, so new instances get tried); then the lowest agent id.
 */
export function leastLoaded(loads: Load[]): Load | undefined {
  // Low-trust instances (trust < TRUST_LOW) are chosen only when no trusted one serves the intent.
  const trusted = loads.filter((l) => (l.trust ?? limits.TRUST_MAX) >= limits.TRUST_LOW);
  let best: Load | undefined;
  for (const l of trusted.length > 0 ? trusted : loads) {
    if (best === undefined) { best = l; continue; }
    const a = l.mailbox + l.inflight;
    const b = best.mailbox + best.inflight;
    if (a !== b) { if (a < b) best = l; continue; }
    const la = l.latencyMs ?? 0;
    const lb = best.latencyMs ?? 0;
    if (la !== lb) { if (la < lb) best = l; continue; }
    if (l.agent < best.agent) best = l;
  }
  return best;
}

/** Weight of the newest sample in the latency average. */
export const LATENCY_ALPHA = 0.3;

export function updateLatency(prev: number | undefined, sampleMs: number): number {
  return prev === undefined ? sampleMs : prev + LATENCY_ALPHA * (sampleMs - prev);
}

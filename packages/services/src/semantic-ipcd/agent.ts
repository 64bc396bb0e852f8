// The semantic-ipcd service agent (native, ADMIN, 'embedder' device in its namespace): keeps an IntentRouter of
// every registered intent (manifestList + registry.changed / agent.*.exit events) and answers ask / multicast /
// negotiate / intents / status (the SEMANTIC_IPCD table) by forwarding to the chosen agents (the INTENTS table, with
// startCall: the one envelope and inbox) and relaying their replies.
// Trusts the kernel (from stamps, registry); requests, manifests and targets' replies are checked.
//
// One createProtocolServer loop in main (no onMessage): requests are queued per asker and served round-robin;
// targets' replies are taken by their pending calls and kernel events bypass the queues, so a slow target never
// stalls routing. A forward's deadline is its call's timeout.
// Policy: (1) only agents granted a SEND handle to semantic-ipcd can ask; (2) the kernel's policy hook is asked on
// every forward (IPCSend with a handle; principal semantic-ipcd) and a deny is EACCES; (3) config.allow rules
// (asker name glob -> intent name globs) restrict who reaches which intent (EACCES). Each decision is published as
// event user.<id>.route {op, asker, text, intent, target, score, via} (the kernel's event and audit trail).
//
// Cluster (docs/semantic-ipc.md): networkd hands over the other nodes' intents (op 'cluster', remote.ts); they are
// scored by the same router under routing ids of their own. Local instances of the chosen intent come first (a
// tie goes local), then remote ones by node state and load; a remote request goes through networkd to the other
// node's semantic-ipcd (scope 'local' there), and a node that cannot be reached fails over to the next replica.

import { defineAgent } from '@aios/runtime';
import {
  agentInfo, agentOpen, clockNow, deviceCall, eventPublish, eventSubscribe, exit, handleClose,
  llmComplete, manifestList, nsLookup, selfInfo,
} from '@aios/runtime/kernel';
import { Outcome as Reply, createProtocolServer, type ProtocolHandlers, type RequestContext, type ServedRequest } from '@aios/runtime/orchestration';
import { call, startCall } from '@aios/runtime/ipc';
import {
  AiosError, INTENT_TAG, Rights, isErrorCode, SEMANTIC_IPCD, errorFromWire, errorToWire, hasCode, limits, trustScore, type AgentManifest, type EmbedderDriver, type Handle,
  type IntentManifest, type IntentOp, type IntentRequest, type IntentRow, type Message, type MulticastResult, type RemoteForward, type RemoteReply, type SemanticStatus, type WireError,
} from '@aios/abi';
import { RemoteTargets, isRemote, readDirectory, type RemoteTarget } from './remote.ts';
import { IntentRouter, type RouteMatch } from './router.ts';
import { RouteJudge, readJudgeConfig } from './judge.ts';
import { describeDevice, deviceEmbedder } from '../devices/proxy.ts';
import { validateSchema } from './schema.ts';
import {
  AUDIT_TEXT_CHARS, allowed, leastLoaded, readConfig, readRequest, updateLatency, type SemanticConfig, type ServiceRequest,
} from './protocol.ts';

/** Requests routed at once: most of a request's time is spent waiting for its targets. */
const CONCURRENCY = 256;
const dec = new TextDecoder();

interface Target {
  agent: number;
  name: string;
  intents: Map<string, IntentManifest>;
  handle: Handle;
}

/** What one target answered: the protocol's multicast result (a remote target has `node`, and agent is its id there). */
type Outcome = MulticastResult;

/** One asker's request in flight: its forwards and where the answer goes. */
interface Group {
  op: 'ask' | 'multicast' | 'negotiate';
  outstanding: number;
  outcomes: Outcome[];
  /** Settles the asker's request (serve() sends the reply). */
  done(ok: boolean, v: unknown): void;
}

/** One forward to one target. */
interface Forward {
  group: Group;
  agent: number;
  intent: string;
  score: number;
  started: number;
  deadline: number;
  timeoutMs: number;
}

/** An EmbedderDriver over the 'embedder' device (native domain: Float32Array crosses DeviceCall intact). */
/** The node's embedder device as a driver, named after the device's own driver (describe). */
async function nodeEmbedder(h: Handle): Promise<EmbedderDriver> {
  const info = await describeDevice(h, deviceCall);
  return deviceEmbedder(h, deviceCall, info?.name ?? 'embedder');
}

/**
 * Where the refusal threshold came from: the unit's config (fixed), or the live registry (derived by leave-one-out
 * over the registered examples, for whatever embedder the node has; 'default' while the registry is too small).
 */
export type ThresholdSource = 'config' | 'registry' | 'default';

/**
 * The close-call judge over the 'model' device: config.judge false is off, true / an object is on; unset, on when
 * the device is a real model (not the offline stand-in). Null when off or when no model device was granted.
 */
async function makeJudge(config: SemanticConfig, log: (...a: unknown[]) => void): Promise<RouteJudge | null> {
  if (config.judge === false) return null;
  let model: Handle;
  try {
    model = nsLookup('model');
  } catch {
    if (config.judge !== undefined) log('config.judge is set but no model device was granted: judge off');
    return null;
  }
  if (config.judge === undefined && (await describeDevice(model, deviceCall))?.name === 'llm-offline') return null;
  const cfg = readJudgeConfig(config.judge === undefined ? true : config.judge);
  log(`close routing calls (margin ${cfg.margin}) go to the model device, at most ${cfg.maxCallsPerMinute} calls per minute`);
  return new RouteJudge(cfg, async (messages, maxTokens) => {
    const r = await llmComplete(model, { messages, temperature: 0, maxTokens });
    return { text: r.text, tokens: r.usage.promptTokens + r.usage.completionTokens };
  }, clockNow);
}

class SemanticIpcd {
  private readonly targets = new Map<number, Target>();
  private readonly load = new Map<number, { inflight: number; latencyMs?: number }>();
  private readonly forwards = new Map<string, Forward>();
  private readonly names = new Map<number, string>();
  /** The other nodes' intents (from networkd) and the handle to networkd that carries requests to them. */
  private readonly remote = new RemoteTargets();
  private networkd: { handle: Handle; agent: number } | null = null;

  constructor(
    private readonly self: number,
    private readonly config: SemanticConfig,
    private readonly router: IntentRouter | null,
    private readonly model: Handle | null,
    private readonly log: (...a: unknown[]) => void,
    private readonly embedderName: string | null = null,
    private readonly judge: RouteJudge | null = null,
    /** The root agent (the node itself): the only sender whose `via` (a forwarded request's asker) is believed. */
    private readonly rootId: number | null = null,
    /** semantic-ipcd's parent (initd): networkd is a sibling started by it. */
    private readonly parent: number | null = null,
  ) {}

  // ---- registry ----

  async sync(agent?: number): Promise<void> {
    const all = manifestList();
    if (agent === undefined) {
      for (const { agent: a, manifest } of all) await this.upsert(a, manifest);
      return;
    }
    const row = all.find((r) => r.agent === agent);
    if (row) await this.upsert(agent, row.manifest);
    else this.drop(agent, 'unregistered');
  }

  private async upsert(agent: number, manifest: AgentManifest): Promise<void> {
    if (agent === this.self) return;
    const intents = (manifest.intents ?? []).filter((i) => !i.name.startsWith('__'));
    if (intents.length === 0) return this.drop(agent, 'no intents');
    let t = this.targets.get(agent);
    if (t === undefined) {
      let handle: Handle;
      try {
        handle = agentOpen(agent, Rights.SEND | Rights.INSPECT);
      } catch {
        return; // exited meanwhile
      }
      t = { agent, name: manifest.name, intents: new Map(), handle };
      this.targets.set(agent, t);
    }
    t.name = manifest.name;
    t.intents = new Map(intents.map((i) => [i.name, i]));
    if (this.router) {
      this.router.unregister(agent);
      for (const i of intents) {
        try {
          await this.router.register(agent, i);
        } catch (e) {
          this.log(`intent ${i.name} of agent ${agent} not routable by text: ${(e as Error).message}`);
        }
      }
    }
  }

  drop(agent: number, why: string): void {
    const t = this.targets.get(agent);
    if (t === undefined) return;
    this.targets.delete(agent);
    this.load.delete(agent);
    this.names.delete(agent);
    this.router?.unregister(agent);
    try {
      handleClose(t.handle);
    } catch {
      /* already gone */
    }
    for (const [id, f] of this.forwards) {
      if (f.agent !== agent) continue;
      this.forwards.delete(id);
      this.settle(f, { ok: false, error: { code: 'ESRCH', message: `agent ${agent} is gone (${why})`, detail: { agent } } });
    }
  }

  // ---- the cluster (remote.ts) ----

  /** A forwarded request's `via` (its remote asker) is believed from the node itself only; anyone else gets EPERM. */
  private checkVia(req: ServiceRequest, from: number): ServiceRequest {
    if (req.via !== undefined && (this.rootId === null || from !== this.rootId)) {
      throw new AiosError('EPERM', 'via (a forwarded request) is accepted from the node itself only', { arg: 'via', from });
    }
    return req;
  }

  /** True when `from` is networkd: named so, native, and started by semantic-ipcd's own parent (initd). */
  private isNetworkd(from: number): boolean {
    try {
      const h = agentOpen(from, Rights.INSPECT);
      const info = agentInfo(h);
      handleClose(h);
      return info.name === 'networkd' && info.domain === 'native' && this.parent !== null && info.parent === this.parent;
    } catch {
      return false;
    }
  }

  /** networkd hands over the cluster: the remote intents (registered in the router) and, in handles[1], itself. */
  private async onCluster(raw: ServedRequest, ctx: RequestContext): Promise<Reply> {
    if (!this.isNetworkd(ctx.from)) throw new AiosError('EPERM', 'only networkd hands over the cluster', { from: ctx.from });
    const d = readDirectory(raw);
    const keep: Handle[] = [];
    const h = ctx.message.handles[1];
    if (h !== undefined) {
      if (this.networkd !== null && this.networkd.handle !== h) {
        try {
          handleClose(this.networkd.handle);
        } catch {
          /* gone */
        }
      }
      this.networkd = { handle: h, agent: ctx.from };
      keep.push(h);
    }
    await this.applyRemote(d);
    return new Reply({ remotes: this.remote.size }, [], keep);
  }

  private async applyRemote(d: Parameters<RemoteTargets['apply']>[0]): Promise<void> {
    const change = this.remote.apply(d, this.log);
    if (this.router === null) return;
    for (const rid of change.unregister) this.router.unregister(rid);
    for (const t of change.register) {
      for (const i of t.intents.values()) {
        try {
          await this.router.register(t.rid, i);
        } catch (e) {
          this.log(`intent ${i.name} of ${t.name}@${t.node} not routable by text: ${(e as Error).message}`);
        }
      }
    }
  }

  /** networkd is gone: no remote targets until it hands the cluster over again. */
  private async detach(): Promise<void> {
    this.networkd = null;
    if (this.remote.self !== null) await this.applyRemote({ node: this.remote.self, version: '', nodes: [], agents: [] });
  }

  /** True when this request may go to other nodes. */
  private clustered(req: ServiceRequest): boolean {
    return req.scope === 'cluster' && this.networkd !== null && this.remote.self !== null;
  }

  /** Local instances of an intent name, then (clustered) remote ones in failover order. */
  private instancesOf(intent: string, cluster: boolean, score = 1): RouteMatch[] {
    const out = this.byName(intent).map((m) => ({ ...m, score }));
    if (cluster) for (const t of this.remote.serving(intent, clockNow())) out.push({ agent: t.rid, intent, score });
    return out;
  }

  /** A match as the asker sees it: remote routing ids become { agent: id there, node }. */
  private shown(m: RouteMatch): RouteMatch & { node?: string } {
    const t = isRemote(m.agent) ? this.remote.get(m.agent) : undefined;
    return t === undefined ? m : { ...m, agent: t.id, node: t.node };
  }

  /** The asker's cluster address (what the other node's allow policy and audit see). */
  private async askerAddress(asker: number): Promise<string> {
    const name = await this.askerName(asker);
    return `${name && !name.includes('@') ? name : `#${asker}`}@${this.remote.self ?? 'local'}`;
  }

  /** One routed request to another node through networkd; resolves with its answer, rejects when the node cannot be reached. */
  private forwardRemote(f: RemoteForward, waitMs: number): Promise<RemoteReply> {
    const nd = this.networkd;
    if (nd === null) return Promise.reject(new AiosError('EIO', 'networkd is gone', { node: f.node }));
    return call<RemoteReply>(nd.handle, { ...f, op: 'forward' }, { timeoutMs: Math.max(1, Math.min(limits.MAX_TIMEOUT_MS, waitMs)) });
  }

  // ---- the loop ----

  /** A message that is not a request: a kernel event (anything else is ignored; replies go to their calls). */
  async onOther(m: Message): Promise<void> {
    if (m.tag === 'event' && m.from === 0) return this.onEvent(m);
  }

  /** The handlers of the SEMANTIC_IPCD table: each resolves with the result or rejects with the asker's error. */
  handlers(): ProtocolHandlers<typeof SEMANTIC_IPCD> {
    const routed = (req: ServedRequest, ctx: RequestContext) => this.dispatch(this.checkVia(readRequest(req), ctx.from), ctx.from, ctx.message.trace);
    return {
      intents: (req) => (readRequest(req), this.list()),
      status: (req) => (readRequest(req), this.status()),
      // Where an ask would go, without sending it (the offline planner matches goal clauses to intents).
      match: async (req) => {
        const { matches, via } = await this.resolve(readRequest(req), false);
        return { intent: matches[0]!.intent, score: matches[0]!.score, via };
      },
      ask: routed,
      multicast: routed as ProtocolHandlers<typeof SEMANTIC_IPCD>['multicast'],
      negotiate: routed as ProtocolHandlers<typeof SEMANTIC_IPCD>['negotiate'],
      cluster: (req, ctx) => this.onCluster(req, ctx) as never,
    };
  }

  private async onEvent(m: Message): Promise<void> {
    let e: { topic?: string; data?: Record<string, unknown> };
    try {
      e = JSON.parse(dec.decode(m.data)) as typeof e;
    } catch {
      return;
    }
    if (e.topic === 'registry.changed' && typeof e.data?.agent === 'number') await this.sync(e.data.agent);
    else if (typeof e.topic === 'string' && /^agent\.\d+\.exit$/.test(e.topic)) {
      const agent = Number(e.topic.split('.')[1]);
      if (agent === this.networkd?.agent) await this.detach();
      this.drop(agent, 'exited');
    }
  }

  // ---- ops ----

  /** The status op: embedder, the refusal threshold in force and its source (derived now if the registry changed). */
  private status(): SemanticStatus {
    const t = this.router?.thresholdInfo();
    return {
      embedder: this.router !== null, embedderName: this.embedderName, intents: this.list().length,
      threshold: t?.threshold ?? null, thresholdSource: t?.source ?? null, pending: this.forwards.size,
      ...(t?.samples !== undefined ? { thresholdSamples: t.samples } : {}),
      ...(t?.looInScopeAccuracy !== undefined ? { thresholdLoo: { inScopeAccuracy: t.looInScopeAccuracy, oosRecall: t.looOosRecall } } : {}),
      judge: this.judge === null ? null : { margin: this.judge.config.margin, k: this.judge.config.k, ...this.judge.stats },
    };
  }

  private list(): IntentRow[] {
    const out: IntentRow[] = [];
    for (const t of [...this.targets.values()].sort((a, b) => a.agent - b.agent)) {
      for (const i of t.intents.values()) out.push({ agent: t.agent, agentName: t.name, intent: i.name, description: i.description, examples: i.examples, input: i.input, output: i.output });
    }
    return out;
  }

  /** Every (agent, intent) serving the exact name `intent`. */
  private byName(intent: string): RouteMatch[] {
    const out: RouteMatch[] = [];
    for (const t of this.targets.values()) if (t.intents.has(intent)) out.push({ agent: t.agent, intent, score: 1 });
    return out.sort((a, b) => a.agent - b.agent);
  }

  /** The candidate targets of a request: by exact intent name, else by meaning (ENOROUTE below the threshold). */
  private async resolve(req: ServiceRequest, all: boolean): Promise<{ matches: RouteMatch[]; via: 'name' | 'text' }> {
    const cluster = this.clustered(req);
    const exact = (n: string): boolean => this.instancesOf(n, cluster).length > 0;
    const name = req.intent ?? (req.text !== undefined && exact(req.text.trim()) ? req.text.trim() : undefined);
    if (name !== undefined) {
      let matches = this.instancesOf(name, cluster);
      if (req.agent !== undefined) {
        // Awarding a bid: that agent, on its node (a remote bid names its node).
        matches = req.node !== undefined && req.node !== this.remote.self
          ? matches.filter((m) => { const t = this.remote.get(m.agent); return t !== undefined && t.node === req.node && t.id === req.agent; })
          : matches.filter((m) => m.agent === req.agent);
      }
      if (matches.length === 0) {
        const where = req.agent !== undefined ? ` as agent ${req.agent}${req.node !== undefined ? ` on ${req.node}` : ''}` : cluster ? ' on any node' : '';
        throw new AiosError('ENOROUTE', `no agent serves intent ${name}${where}`, { intent: name, agent: req.agent, ...(req.node !== undefined ? { node: req.node } : {}), candidates: this.list().slice(0, 10).map((r) => ({ agent: r.agent, intent: r.intent })) });
      }
      return { matches, via: 'name' };
    }
    if (this.router === null) throw new AiosError('ENOSYS', 'semantic-ipcd has no embedder device: ask by intent name', { need: 'embedder' });
    const text = req.text!;
    const admit = cluster ? undefined : (a: number) => !isRemote(a);
    if (all) {
      const matches = (await this.router.multicastTargets(text, undefined, admit)).filter((m) => !isRemote(m.agent) || this.remote.get(m.agent) !== undefined);
      if (matches.length === 0) {
        throw new AiosError('ENOROUTE', `no registered intent${cluster ? ' on any node' : ''} matches the request`, { threshold: this.router.threshold, candidates: (await this.router.candidates(text)).map((m) => this.shown(m)) });
      }
      return { matches, via: 'text' };
    }
    return { matches: await this.routeText(text, cluster, admit), via: 'text' };
  }

  /** Routes text by meaning; a close call is settled by the model when a judge is configured (judge.ts). */
  private async routeText(text: string, cluster: boolean, admit?: (agent: number) => boolean): Promise<RouteMatch[]> {
    const router = this.router!;
    // Clustered: every instance of the chosen intent name, local first (replicas on other nodes may carry a
    // shortened manifest, so they need not share the best slot); local only: the best slot's instances, as before.
    const instances = (r: { best: RouteMatch; instances: RouteMatch[] }): RouteMatch[] => (cluster ? this.instancesOf(r.best.intent, true, r.best.score) : r.instances);
    if (this.judge === null) {
      try {
        return instances(await router.route(text, { ...(admit ? { admit } : {}) }));
      } catch (e) {
        if (hasCode(e, 'ENOROUTE')) throw this.shownRoute(e as AiosError);
        throw e;
      }
    }
    const threshold = router.threshold;
    const r = await router.route(text, { threshold: -1, k: this.judge.config.k, ...(admit ? { admit } : {}) });
    const cands = r.candidates.map((c) => ({ ...c, description: this.descriptionOf(c.intent) }));
    const v = await this.judge.judge(text, cands, threshold);
    if (v !== undefined && 'refuse' in v) {
      throw new AiosError('ENOROUTE', 'no registered intent matches the request (the model judged that none serves it)', { threshold, candidates: r.candidates, judge: 'none' });
    }
    if (v !== undefined && v.pick !== r.best.intent) {
      const score = r.candidates.find((c) => c.intent === v.pick)?.score ?? 0;
      const picked = this.instancesOf(v.pick, cluster, score);
      if (picked.length > 0) return picked;
    }
    if (v === undefined && r.best.score < threshold) {
      throw new AiosError('ENOROUTE', 'no registered intent matches the request', { threshold, candidates: r.candidates.map((c) => this.shown(c)) });
    }
    return instances(r);
  }

  /** The router's ENOROUTE with remote candidates shown as { agent: id there, node }. */
  private shownRoute(e: AiosError): AiosError {
    const d = e.detail as { candidates?: RouteMatch[] } | undefined;
    if (!Array.isArray(d?.candidates) || !d.candidates.some((c) => isRemote(c.agent))) return e;
    return new AiosError('ENOROUTE', e.message, { ...d, candidates: d.candidates.map((c) => this.shown(c)) });
  }

  private descriptionOf(intent: string): string {
    for (const t of this.targets.values()) {
      const i = t.intents.get(intent);
      if (i) return i.description ?? '';
    }
    return '';
  }

  private async askerName(agent: number): Promise<string> {
    let n = this.names.get(agent);
    if (n !== undefined) return n;
    try {
      const h = agentOpen(agent, Rights.INSPECT);
      n = agentInfo(h).name;
      handleClose(h);
    } catch {
      n = ''; // the root (the host) or a gone agent: only rules with from '*' match
    }
    this.names.set(agent, n);
    return n;
  }

  /** The allow policy for the sender and, when it acts for someone (the planner), for that agent too: never wider. */
  private async checkPolicy(asker: number, intent: string, onBehalfOf?: { agent: number; name: string }, via?: { node: string; asker: string }): Promise<void> {
    if (this.config.allow === undefined) return;
    // A forwarded request: the policy sees the remote asker's address (NAME@NODE), never the node itself.
    const name = via !== undefined ? via.asker : await this.askerName(asker);
    if (!allowed(this.config.allow, name, intent)) {
      throw new AiosError('EACCES', `agent ${asker} (${name || 'host'}) may not reach intent ${intent}`, { asker, intent, policy: 'semantic-ipcd.allow' });
    }
    if (onBehalfOf !== undefined && !allowed(this.config.allow, onBehalfOf.name, intent)) {
      throw new AiosError('EACCES', `agent ${onBehalfOf.agent} (${onBehalfOf.name || 'host'}), for whom agent ${asker} asks, may not reach intent ${intent}`, { asker, onBehalfOf, intent, policy: 'semantic-ipcd.allow' });
    }
  }

  /** The payload to forward: the given one, or (config.extract, model device) one extracted from the text. Checked against the schema. */
  private async payloadFor(t: Target, intent: string, req: ServiceRequest): Promise<unknown> {
    const schema = t.intents.get(intent)?.input;
    let payload = req.payload;
    if (payload === undefined && schema !== undefined && this.config.extract && this.model !== null && req.text !== undefined) {
      payload = await this.extract(schema, req.text);
    }
    if (schema === undefined) return payload;
    const errors = validateSchema(schema, payload);
    if (errors.length > 0) throw new AiosError('EINVAL', `payload does not match the input schema of ${intent}`, { intent, agent: t.agent, errors });
    return payload;
  }

  /** Asks the model for JSON arguments matching the schema; undefined when it gives none. */
  private async extract(schema: unknown, text: string): Promise<unknown> {
    try {
      const r = await llmComplete(this.model!, {
        messages: [
          { role: 'system', content: `Extract the arguments of this request as one JSON value matching this JSON Schema. Answer with JSON only.\n${JSON.stringify(schema)}` },
          { role: 'user', content: text },
        ],
        temperature: 0,
        maxTokens: 256,
      });
      const m = r.text.match(/[[{][\s\S]*[\]}]/);
      return m ? JSON.parse(m[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  private loadOf(t: Target): { agent: number; mailbox: number; inflight: number; latencyMs?: number; trust?: number } {
    const l = this.load.get(t.agent) ?? { inflight: 0 };
    let mailbox = 0;
    let trust: number | undefined;
    try {
      const info = agentInfo(t.handle);
      mailbox = info.mailbox;
      if (info.trust !== undefined) trust = trustScore(info.trust, info.domain === 'native' ? 'system' : 'unsigned');
    } catch {
      mailbox = Number.MAX_SAFE_INTEGER; // gone: last choice (the exit event drops it)
    }
    return { agent: t.agent, mailbox, inflight: l.inflight, latencyMs: l.latencyMs, ...(trust !== undefined ? { trust } : {}) };
  }

  /** Routes one request; resolves when every forward answered (or timed out), with what the asker gets. */
  private async dispatch(req: ServiceRequest, asker: number, trace?: string): Promise<unknown> {
    let done!: Group['done'];
    const answered = new Promise<unknown>((resolve, reject) => {
      done = (ok, v) => (ok ? resolve(v) : reject(v));
    });
    await this.forwardAll(req, asker, done, trace);
    return answered;
  }

  private async forwardAll(req: ServiceRequest, asker: number, done: Group['done'], trace?: string): Promise<void> {
    const op = req.op as Group['op'];
    const { matches, via } = await this.resolve(req, op !== 'ask');
    const group: Group = { op, outstanding: 0, outcomes: [], done };
    const text = req.text?.slice(0, AUDIT_TEXT_CHARS);
    const from = req.via !== undefined ? { viaNode: req.via.node, remoteAsker: req.via.asker } : {};
    if (op === 'ask') {
      await this.checkPolicy(asker, matches[0]!.intent, req.onBehalfOf, req.via);
      // Local instances first (a tie goes local), least loaded first; a full mailbox (EAGAIN) or a gone agent moves
      // on to the next instance; then the remote replicas, in failover order.
      const left = matches.filter((m) => this.targets.has(m.agent));
      const remote = matches.filter((m) => isRemote(m.agent)).map((m) => this.remote.get(m.agent)).filter((t): t is RemoteTarget => t !== undefined);
      let lastErr: unknown = new AiosError('ENOROUTE', 'no live instance serves the intent', { intent: matches[0]!.intent });
      while (left.length > 0) {
        const loads = left.map((m) => this.loadOf(this.targets.get(m.agent)!));
        const pick = leastLoaded(loads)!;
        const m = left.splice(left.findIndex((x) => x.agent === pick.agent), 1)[0]!;
        const t = this.targets.get(m.agent)!;
        const payload = await this.payloadFor(t, m.intent, req);
        try {
          const extra = {
            ...(req.step ? { stepKey: req.step.key, attempt: req.step.attempt } : {}),
            ...(req.onBehalfOf ? { onBehalfOf: req.onBehalfOf } : {}),
          };
          this.forward(group, t, m, req.timeoutMs, 'call', { intent: m.intent, payload, ...(req.text !== undefined ? { text: req.text } : {}), ...extra });
          eventPublish('route', { op, asker, text, intent: m.intent, target: m.agent, score: m.score, via, mailbox: pick.mailbox, inflight: pick.inflight, ...extra, ...from });
          return;
        } catch (e) {
          if (!hasCode(e, 'EAGAIN') && !hasCode(e, 'ESRCH')) throw e;
          lastErr = e;
        }
      }
      if (remote.length > 0) return this.askRemote(group, remote, matches[0]!, req, asker, via, trace);
      throw lastErr;
    }
    // multicast / negotiate: every allowed target above the threshold, on every node.
    let sent = 0;
    const refused: Outcome[] = [];
    for (const m of matches) {
      const rt = isRemote(m.agent) ? this.remote.get(m.agent) : undefined;
      const t = rt === undefined ? this.targets.get(m.agent) : undefined;
      if (t === undefined && rt === undefined) continue;
      try {
        await this.checkPolicy(asker, m.intent, undefined, req.via);
        const text = req.text !== undefined ? { text: req.text } : {};
        if (rt !== undefined) this.forwardOneRemote(group, rt, m, op === 'negotiate' ? 'negotiate' : 'ask', req, asker, trace);
        else if (op === 'negotiate') this.forward(group, t!, m, req.timeoutMs, 'bid', { intent: m.intent, payload: req.payload, ...text });
        else this.forward(group, t!, m, req.timeoutMs, 'call', { intent: m.intent, payload: await this.payloadFor(t!, m.intent, req), ...text });
        sent++;
        eventPublish('route', { op, asker, text: req.text?.slice(0, AUDIT_TEXT_CHARS), intent: m.intent, target: rt?.id ?? m.agent, ...(rt ? { node: rt.node } : {}), score: m.score, via, ...from });
      } catch (e) {
        const shown = this.shown(m);
        refused.push({ agent: shown.agent, intent: m.intent, score: m.score, ok: false, error: errorToWire(e), ...(shown.node !== undefined ? { node: shown.node } : {}) });
      }
    }
    if (sent === 0) {
      const first = refused[0]?.error;
      throw new AiosError(isErrorCode(first?.code) ? first.code : 'ENOROUTE', first?.message ?? 'no target could be reached', { refused });
    }
    group.outcomes.push(...refused);
  }

  /** The body of a routed request to another node (the asker's address, trace context and plan step carried). */
  private async remoteBody(t: RemoteTarget, kind: RemoteForward['kind'], intent: string, req: ServiceRequest, asker: number, agent: number | undefined, timeoutMs: number, trace?: string): Promise<RemoteForward> {
    return {
      node: t.node, kind, intent, ...(agent !== undefined ? { agent } : {}), ...(req.text !== undefined ? { text: req.text } : {}),
      ...(req.payload !== undefined ? { payload: req.payload } : {}), timeoutMs, asker: await this.askerAddress(asker),
      ...(req.onBehalfOf ? { onBehalfOf: req.onBehalfOf } : {}), ...(req.step ? { step: req.step } : {}), ...(trace !== undefined ? { trace } : {}),
    };
  }

  /**
   * An ask served on another node: tries the replicas' nodes in order (one attempt per node; that node's
   * semantic-ipcd picks its least loaded instance, or the awarded agent). A node that cannot be reached (down,
   * refused link, no answer in time) or that no longer serves the intent is skipped for the next; the first answer,
   * or the handler's error, is the ask's. All within the ask's deadline (its timeout plus the reply grace).
   */
  private askRemote(group: Group, remote: RemoteTarget[], best: RouteMatch, req: ServiceRequest, asker: number, via: string, trace?: string): void {
    group.outstanding++;
    const started = clockNow();
    const deadline = started + req.timeoutMs + limits.ASK_REPLY_GRACE_MS - 250;
    const pinned = req.agent !== undefined;
    const nodes: RemoteTarget[] = [];
    for (const t of remote) if (pinned || !nodes.some((n) => n.node === t.node)) nodes.push(t);
    void (async () => {
      const failedOver: string[] = [];
      const noRoute: string[] = [];
      let outcome: Outcome | null = null;
      for (const t of nodes) {
        const left = deadline - clockNow();
        if (left <= 0) break;
        const timeoutMs = Math.max(1, Math.min(req.timeoutMs, left - limits.ASK_REPLY_GRACE_MS));
        eventPublish('route', { op: 'ask', asker, text: req.text?.slice(0, AUDIT_TEXT_CHARS), intent: best.intent, target: t.id, node: t.node, score: best.score, via, failedOver: [...failedOver] });
        let r: RemoteReply;
        try {
          r = await this.forwardRemote(await this.remoteBody(t, 'ask', best.intent, req, asker, pinned ? t.id : undefined, timeoutMs, trace), left);
        } catch (e) {
          this.log(`ask ${best.intent}: node ${t.node} not reached (${(e as AiosError).code ?? 'EIO'}: ${(e as Error).message}), next replica`);
          failedOver.push(t.node); // down, refused, unreachable or silent: the next replica
          this.remote.avoid(t.node, clockNow());
          continue;
        }
        if (!r.ok && (r.error.code === 'ENOROUTE' || r.error.code === 'ESRCH')) {
          noRoute.push(t.node); // the directory was behind that node's registry
          continue;
        }
        outcome = { agent: t.id, node: t.node, intent: best.intent, score: best.score, ...(r.ok ? { ok: true, result: r.result ?? null } : { ok: false, error: r.error }) };
        break;
      }
      if (outcome === null) {
        const detail = { intent: best.intent, failedOver, noRoute };
        const error: WireError = clockNow() >= deadline
          ? { code: 'ETIMEDOUT', message: `no node answered ${best.intent} within ${req.timeoutMs} ms`, detail: { ...detail, timeoutMs: req.timeoutMs } }
          : failedOver.length > 0
            ? { code: 'EIO', message: `no node serving ${best.intent} could be reached`, detail }
            : { code: 'ENOROUTE', message: `no node serves ${best.intent} any more`, detail };
        outcome = { agent: best.agent, intent: best.intent, score: best.score, ok: false, error };
      }
      this.record(group, outcome);
    })();
  }

  /** One multicast or negotiate target on another node (that agent, pinned); a node that cannot be reached is its outcome. */
  private forwardOneRemote(group: Group, t: RemoteTarget, m: RouteMatch, kind: RemoteForward['kind'], req: ServiceRequest, asker: number, trace?: string): void {
    group.outstanding++;
    const wait = req.timeoutMs + limits.ASK_REPLY_GRACE_MS - 250;
    const base = { agent: t.id, node: t.node, intent: m.intent, score: m.score };
    void (async () => {
      let o: Outcome;
      try {
        const r = await this.forwardRemote(await this.remoteBody(t, kind, m.intent, req, asker, t.id, req.timeoutMs, trace), wait);
        if (!r.ok) o = { ...base, ok: false, error: r.error };
        else if (kind === 'ask') o = { ...base, ok: true, result: r.result ?? null };
        else {
          // The remote negotiate answers with its bids (of the one pinned agent): its bid is this target's answer.
          const bid = Array.isArray(r.result) ? (r.result[0] as { bid?: unknown } | undefined)?.bid : undefined;
          o = bid !== undefined ? { ...base, ok: true, result: bid } : { ...base, ok: false, error: { code: 'ENOROUTE', message: `${t.name}@${t.node} made no bid` } };
        }
      } catch (e) {
        this.remote.avoid(t.node, clockNow());
        o = { ...base, ok: false, error: errorToWire(e) };
      }
      this.record(group, o);
    })();
  }

  /**
   * Sends one intent request to a target (startCall: a full mailbox or a gone agent throws here, so the caller can
   * try the next instance) and settles the forward when the target answers, the call times out, or drop() ends it.
   */
  private forward(group: Group, t: Target, m: RouteMatch, timeoutMs: number, op: IntentOp, body: IntentRequest): void {
    const call = startCall(t.handle, { op, ...body }, { tag: INTENT_TAG, timeoutMs, replyFrom: t.agent });
    const now = clockNow();
    this.forwards.set(call.id, { group, agent: t.agent, intent: m.intent, score: m.score, started: now, deadline: now + timeoutMs, timeoutMs });
    group.outstanding++;
    const l = this.load.get(t.agent) ?? { inflight: 0 };
    l.inflight++;
    this.load.set(t.agent, l);
    call.reply.then(
      ({ result }) => this.answered(call.id, { ok: true, result: result ?? null }),
      (e: unknown) => this.answered(call.id, { ok: false, error: errorToWire(e) }),
    );
  }

  /** A forward's call ended (an answer, or no answer in time); ignored when drop() settled it already. */
  private answered(id: string, o: { ok: boolean; result?: unknown; error?: WireError }): void {
    const f = this.forwards.get(id);
    if (f === undefined) return;
    this.forwards.delete(id);
    const now = clockNow();
    const silent = !o.ok && o.error?.code === 'ETIMEDOUT' && now >= f.deadline;
    const l = this.load.get(f.agent);
    if (l) l.latencyMs = updateLatency(l.latencyMs, silent ? f.timeoutMs : now - f.started);
    if (silent) {
      o = { ok: false, error: { code: 'ETIMEDOUT', message: `${f.intent} (agent ${f.agent}) did not answer within ${f.timeoutMs} ms`, detail: { agent: f.agent, intent: f.intent, timeoutMs: f.timeoutMs } } };
    }
    this.settle(f, o);
  }

  /** Records one forward's outcome; answers the asker when the group has all of them. */
  private settle(f: Forward, o: { ok: boolean; result?: unknown; error?: WireError }): void {
    const l = this.load.get(f.agent);
    if (l && l.inflight > 0) l.inflight--;
    this.record(f.group, { agent: f.agent, intent: f.intent, score: f.score, ...o });
  }

  /** Records one target's outcome (local or remote); answers the asker when the group has all of them. */
  private record(g: Group, outcome: Outcome): void {
    g.outcomes.push(outcome);
    if (--g.outstanding > 0) return;
    if (g.op === 'ask') {
      const r = g.outcomes[0]!;
      return r.ok ? g.done(true, r.result) : g.done(false, errorFromWire(r.error));
    }
    if (g.op === 'multicast') {
      return g.done(true, [...g.outcomes].sort((a, b) => b.score - a.score || (a.node ?? '').localeCompare(b.node ?? '') || a.agent - b.agent));
    }
    const bids = g.outcomes
      .filter((x) => x.ok && typeof (x.result as { cost?: unknown })?.cost === 'number')
      .map((x) => {
        const bid = x.result as Record<string, unknown>;
        return { agent: x.agent, intent: x.intent, score: x.score, cost: bid.cost as number, ...(typeof bid.timeMs === 'number' ? { timeMs: bid.timeMs } : {}), bid, ...(x.node !== undefined ? { node: x.node } : {}) };
      })
      .sort((a, b) => a.cost - b.cost || b.score - a.score || a.agent - b.agent);
    g.done(true, bids);
  }

}

/** semantic-ipcd's parent and the root agent (the node itself: the top of the parent chain). */
function ancestry(): { root: number | null; parent: number | null } {
  const parent = selfInfo().parent;
  let p = parent;
  for (let hops = 0; p !== null && hops < 64; hops++) {
    let up: number | null;
    try {
      const h = agentOpen(p, Rights.INSPECT);
      up = agentInfo(h).parent;
      handleClose(h);
    } catch {
      return { root: p, parent }; // the root cannot be opened: it is the top
    }
    if (up === null) return { root: p, parent };
    p = up;
  }
  return { root: p, parent };
}

export default defineAgent({
  name: 'semantic-ipcd',
  version: '1.0.0',
  description: 'routes requests by meaning to the agents whose intents serve them',
  async main(ctx) {
    const config = readConfig(ctx.config);
    // Subscribe before listing, so no registration falls between the two.
    eventSubscribe('registry.changed');
    eventSubscribe('agent.*.exit');
    let router: IntentRouter | null = null;
    let embedderName: string | null = null;
    try {
      const embedder = await nodeEmbedder(nsLookup('embedder'));
      // A configured threshold is fixed; otherwise the router derives it from the live registry.
      router = new IntentRouter({ embedder, threshold: config.threshold });
      embedderName = embedder.info.name;
    } catch (e) {
      ctx.log(`no embedder (${(e as Error).message}): routing by intent name only`);
    }
    let model: Handle | null = null;
    if (config.extract) {
      try {
        model = nsLookup('model');
      } catch {
        ctx.log('config.extract is set but no model device was granted: extraction off');
      }
    }
    const judge = router === null ? null : await makeJudge(config, (...a) => ctx.log(...a));
    const { root, parent } = ancestry();
    const svc = new SemanticIpcd(ctx.id, config, router, model, (...a) => ctx.log(...a), embedderName, judge, root, parent);
    await svc.sync();
    // Fair across askers (serve()): each sender's requests wait in its own queue, served round-robin; a flooder
    // is refused with EAGAIN past its queue bound. Requests mostly wait for targets, so many run at once.
    await createProtocolServer(SEMANTIC_IPCD, svc.handlers(), {
      concurrency: CONCURRENCY,
      requestTimeoutMs: (req) => (typeof req.timeoutMs === 'number' ? req.timeoutMs : limits.ASK_TIMEOUT_MS) + limits.ASK_REPLY_GRACE_MS,
      other: async (m) => {
        if (m.tag === 'shutdown') exit(0);
        await svc.onOther(m);
      },
      log: (...a) => ctx.log(...a),
    }).run();
  },
});

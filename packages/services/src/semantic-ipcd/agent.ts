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

import { defineAgent } from '@aios/runtime';
import {
  agentInfo, agentOpen, clockNow, deviceCall, eventPublish, eventSubscribe, exit, handleClose,
  llmComplete, manifestList, nsLookup,
} from '@aios/runtime/kernel';
import { createProtocolServer, type ProtocolHandlers, type RequestContext, type ServedRequest } from '@aios/runtime/orchestration';
import { startCall } from '@aios/runtime/ipc';
import {
  AiosError, INTENT_TAG, Rights, isErrorCode, SEMANTIC_IPCD, errorFromWire, errorToWire, hasCode, limits, trustScore, type AgentManifest, type EmbedderDriver, type Handle,
  type IntentManifest, type IntentOp, type IntentRequest, type IntentRow, type Message, type SemanticStatus, type WireError,
} from '@aios/abi';
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

interface Outcome {
  agent: number;
  intent: string;
  score: number;
  ok: boolean;
  result?: unknown;
  error?: WireError;
}

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

  constructor(
    private readonly self: number,
    private readonly config: SemanticConfig,
    private readonly router: IntentRouter | null,
    private readonly model: Handle | null,
    private readonly log: (...a: unknown[]) => void,
    private readonly embedderName: string | null = null,
    private readonly judge: RouteJudge | null = null,
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

  // ---- the loop ----

  /** A message that is not a request: a kernel event (anything else is ignored; replies go to their calls). */
  async onOther(m: Message): Promise<void> {
    if (m.tag === 'event' && m.from === 0) return this.onEvent(m);
  }

  /** The handlers of the SEMANTIC_IPCD table: each resolves with the result or rejects with the asker's error. */
  handlers(): ProtocolHandlers<typeof SEMANTIC_IPCD> {
    const routed = (req: ServedRequest, ctx: RequestContext) => this.dispatch(readRequest(req), ctx.from);
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
    else if (typeof e.topic === 'string' && /^agent\.\d+\.exit$/.test(e.topic)) this.drop(Number(e.topic.split('.')[1]), 'exited');
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
    const name = req.intent ?? (req.text !== undefined && this.byName(req.text.trim()).length > 0 ? req.text.trim() : undefined);
    if (name !== undefined) {
      let matches = this.byName(name);
      if (req.agent !== undefined) matches = matches.filter((m) => m.agent === req.agent);
      if (matches.length === 0) {
        throw new AiosError('ENOROUTE', `no agent serves intent ${name}${req.agent !== undefined ? ` as agent ${req.agent}` : ''}`, { intent: name, agent: req.agent, candidates: this.list().slice(0, 10).map((r) => ({ agent: r.agent, intent: r.intent })) });
      }
      return { matches, via: 'name' };
    }
    if (this.router === null) throw new AiosError('ENOSYS', 'semantic-ipcd has no embedder device: ask by intent name', { need: 'embedder' });
    const text = req.text!;
    if (all) {
      const matches = await this.router.multicastTargets(text);
      if (matches.length === 0) {
        throw new AiosError('ENOROUTE', 'no registered intent matches the request', { threshold: this.router.threshold, candidates: await this.router.candidates(text) });
      }
      return { matches, via: 'text' };
    }
    return { matches: await this.routeText(text), via: 'text' };
  }

  /** Routes text by meaning; a close call is settled by the model when a judge is configured (judge.ts). */
  private async routeText(text: string): Promise<RouteMatch[]> {
    const router = this.router!;
    if (this.judge === null) return (await router.route(text)).instances;
    const threshold = router.threshold;
    const r = await router.route(text, { threshold: -1, k: this.judge.config.k });
    const cands = r.candidates.map((c) => ({ ...c, description: this.descriptionOf(c.intent) }));
    const v = await this.judge.judge(text, cands, threshold);
    if (v !== undefined && 'refuse' in v) {
      throw new AiosError('ENOROUTE', 'no registered intent matches the request (the model judged that none serves it)', { threshold, candidates: r.candidates, judge: 'none' });
    }
    if (v !== undefined && v.pick !== r.best.intent) {
      const score = r.candidates.find((c) => c.intent === v.pick)?.score ?? 0;
      const picked = this.byName(v.pick).map((m) => ({ ...m, score }));
      if (picked.length > 0) return picked;
    }
    if (v === undefined && r.best.score < threshold) {
      throw new AiosError('ENOROUTE', 'no registered intent matches the request', { threshold, candidates: r.candidates });
    }
    return r.instances;
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
  private async checkPolicy(asker: number, intent: string, onBehalfOf?: { agent: number; name: string }): Promise<void> {
    if (this.config.allow === undefined) return;
    const name = await this.askerName(asker);
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
  private async dispatch(req: ServiceRequest, asker: number): Promise<unknown> {
    let done!: Group['done'];
    const answered = new Promise<unknown>((resolve, reject) => {
      done = (ok, v) => (ok ? resolve(v) : reject(v));
    });
    await this.forwardAll(req, asker, done);
    return answered;
  }

  private async forwardAll(req: ServiceRequest, asker: number, done: Group['done']): Promise<void> {
    const op = req.op as Group['op'];
    const { matches, via } = await this.resolve(req, op !== 'ask');
    const group: Group = { op, outstanding: 0, outcomes: [], done };
    const text = req.text?.slice(0, AUDIT_TEXT_CHARS);
    if (op === 'ask') {
      await this.checkPolicy(asker, matches[0]!.intent, req.onBehalfOf);
      // Least loaded first; a full mailbox (EAGAIN) or a gone agent moves on to the next instance.
      const left = matches.filter((m) => this.targets.has(m.agent));
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
          eventPublish('route', { op, asker, text, intent: m.intent, target: m.agent, score: m.score, via, mailbox: pick.mailbox, inflight: pick.inflight, ...extra });
          return;
        } catch (e) {
          if (!hasCode(e, 'EAGAIN') && !hasCode(e, 'ESRCH')) throw e;
          lastErr = e;
        }
      }
      throw lastErr;
    }
    // multicast / negotiate: every allowed target above the threshold.
    let sent = 0;
    const refused: Outcome[] = [];
    for (const m of matches) {
      const t = this.targets.get(m.agent);
      if (t === undefined) continue;
      try {
        await this.checkPolicy(asker, m.intent);
        const text = req.text !== undefined ? { text: req.text } : {};
        if (op === 'negotiate') this.forward(group, t, m, req.timeoutMs, 'bid', { intent: m.intent, payload: req.payload, ...text });
        else this.forward(group, t, m, req.timeoutMs, 'call', { intent: m.intent, payload: await this.payloadFor(t, m.intent, req), ...text });
        sent++;
        eventPublish('route', { op, asker, text, intent: m.intent, target: m.agent, score: m.score, via });
      } catch (e) {
        refused.push({ agent: m.agent, intent: m.intent, score: m.score, ok: false, error: errorToWire(e) });
      }
    }
    if (sent === 0) {
      const first = refused[0]?.error;
      throw new AiosError(isErrorCode(first?.code) ? first.code : 'ENOROUTE', first?.message ?? 'no target could be reached', { refused });
    }
    group.outcomes.push(...refused);
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
    const g = f.group;
    g.outcomes.push({ agent: f.agent, intent: f.intent, score: f.score, ...o });
    if (--g.outstanding > 0) return;
    if (g.op === 'ask') {
      const r = g.outcomes[0]!;
      return r.ok ? g.done(true, r.result) : g.done(false, errorFromWire(r.error));
    }
    if (g.op === 'multicast') {
      return g.done(true, [...g.outcomes].sort((a, b) => b.score - a.score || a.agent - b.agent));
    }
    const bids = g.outcomes
      .filter((x) => x.ok && typeof (x.result as { cost?: unknown })?.cost === 'number')
      .map((x) => {
        const bid = x.result as Record<string, unknown>;
        return { agent: x.agent, intent: x.intent, score: x.score, cost: bid.cost as number, ...(typeof bid.timeMs === 'number' ? { timeMs: bid.timeMs } : {}), bid };
      })
      .sort((a, b) => a.cost - b.cost || b.score - a.score || a.agent - b.agent);
    g.done(true, bids);
  }

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
    const svc = new SemanticIpcd(ctx.id, config, router, model, (...a) => ctx.log(...a), embedderName, judge);
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

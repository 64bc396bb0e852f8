// The model device: shares one llm driver's slots among agents (fair queue by tokens, budgets,
// cancellation, per-agent usage). Deterministic: time only from the injected clock, no timers, no I/O.
import { AiosError } from '@aios/abi';
import type { AgentId, KernelEvent, LlmAgentUsage, LlmBudget, LlmChunk, LlmDriver, LlmPricing, LlmRequest, LlmResult, LlmSubmitOptions, LlmUsage, TokenEstimator } from '@aios/abi';
import { BudgetLedger } from './budget.ts';
import type { LlmClock } from './budget.ts';
import { costOf, estimateRequest, roughTokens } from './estimate.ts';
import { FairQueue } from './fairq.ts';
import type { LlmQueuePolicy, QueueItem } from './fairq.ts';
import { LLM_DEFAULT_COMPLETION_ESTIMATE, LLM_MAX_QUEUED_PER_AGENT } from './params.ts';
import { checkAgentId, checkBudget, checkRequest, checkSubmitOptions, checkWeight } from './validate.ts';

export interface ModelDeviceOptions {
  driver: LlmDriver;
  clock: LlmClock;
  /** Budget events ('llm.budget.warning' at 80 %, 'llm.budget.exhausted' at 100 %). */
  onEvent?: (e: KernelEvent) => void;
  /** 'wfq' (default) or 'fifo' (arrival order; for comparison). */
  policy?: LlmQueuePolicy;
  /** Requests the backend serves at once; default driver.slots. */
  slots?: number;
  /**
   * Requests handed to the driver beyond `slots` (default driver.pipeline, else 0), so that a remote backend which
   * queues them starts the next one the moment a slot frees instead of idling for the round trip
   * until the device's next dispatch arrives. Such a request is committed to the backend's own
   * queue one or more completions early: a more urgent one queued after it here may wait behind up
   * to this many, and its wait in the backend's queue counts against the driver's own timeout (e.g.
   * AIOS_LLM_TIMEOUT_MS). Keep it small (1-2), and 0 for a driver that does not queue beyond its slots.
   */
  pipeline?: number;
  pricing?: LlmPricing;
  /** Estimator for tags and partial charges; default the driver's, else chars/4. */
  estimateTokens?: TokenEstimator;
  /** Completion tokens assumed when a request sets no maxTokens (default 256). */
  defaultCompletionTokens?: number;
  /** Queued requests one agent may have; one more gives EAGAIN (default 256). */
  maxQueuedPerAgent?: number;
}

/** Per-agent settings. null clears parent or budget; unset fields are left as they are. */
export interface LlmAgentConfig {
  parent?: AgentId | null;
  weight?: number;
  budget?: LlmBudget | null;
}

export interface ModelDeviceStats {
  policy: LlmQueuePolicy;
  slots: number;
  pipeline: number;
  queued: number;
  inFlight: number;
  virtualTime: number;
  completed: number;
  failed: number;
  canceled: number;
  /** Tokens charged since boot over all agents (prompt and completion). */
  promptTokens: number;
  completionTokens: number;
}

export interface ModelDevice {
  readonly driver: LlmDriver;
  readonly slots: number;
  /**
   * Queues a completion for the agent. Rejects EINVAL/EMSGSIZE (bad input), EAGAIN (agent's queue
   * full), EQUOTA (budget), ECANCELED (signal, cancelAgent), else the driver's ETIMEDOUT/EIO.
   */
  submit(agentId: AgentId, req: LlmRequest, opts?: LlmSubmitOptions): Promise<LlmResult>;
  /**
   * Queues a streamed completion. Checks and admission happen now and throw synchronously (same
   * codes as submit); the queue position is taken now. The caller must iterate it or call return(),
   * which cancels it; the slot is held from dispatch until the stream ends.
   */
  submitStream(agentId: AgentId, req: LlmRequest, opts?: LlmSubmitOptions): AsyncIterable<LlmChunk>;
  configureAgent(agentId: AgentId, cfg: LlmAgentConfig): void;
  /** Aborts the agent's queued and in-flight requests (they reject ECANCELED); returns how many. */
  cancelAgent(agentId: AgentId): number;
  /** cancelAgent, then forgets the agent's weight, budget and fairness history. */
  removeAgent(agentId: AgentId): void;
  usage(agentId: AgentId): LlmAgentUsage;
  stats(): ModelDeviceStats;
  setPolicy(policy: LlmQueuePolicy): void;
}

interface AgentState {
  weight: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  inFlight: number;
  tickets: Set<Ticket>;
}

interface Ticket extends QueueItem {
  readonly req: LlmRequest;
  readonly estPrompt: number;
  readonly estCost: number;
  readonly agent: AgentState;
  readonly ctl: AbortController;
  state: 'queued' | 'running' | 'done';
  started: boolean;
  streamedTokens: number;
  granted: Promise<void>;
  grant: () => void;
  deny: (e: AiosError) => void;
  /** Rejects with the abort reason when ctl aborts; never resolves. */
  aborted: Promise<never>;
  detach: () => void;
}

const swallow = (): void => undefined;

export function createModelDevice(opts: ModelDeviceOptions): ModelDevice {
  const { driver, clock } = opts;
  const slots = opts.slots ?? driver.slots;
  if (!Number.isInteger(slots) || slots < 1) throw new AiosError('EINVAL', 'slots must be a positive integer', { arg: 'slots', value: slots });
  const pipeline = opts.pipeline ?? driver.pipeline ?? 0;
  if (!Number.isInteger(pipeline) || pipeline < 0) throw new AiosError('EINVAL', 'pipeline must be a non-negative integer', { arg: 'pipeline', value: pipeline });
  const maxInFlight = slots + pipeline;
  const est = opts.estimateTokens ?? driver.estimateTokens ?? roughTokens;
  const defaultCompletion = opts.defaultCompletionTokens ?? LLM_DEFAULT_COMPLETION_ESTIMATE;
  const maxQueued = opts.maxQueuedPerAgent ?? LLM_MAX_QUEUED_PER_AGENT;
  const emit = opts.onEvent ?? swallow;
  const queue = new FairQueue(opts.policy ?? 'wfq');
  const ledger = new BudgetLedger(clock, emit);
  const agents = new Map<AgentId, AgentState>();
  const tickets = new Map<number, Ticket>();
  let nextId = 1;
  let inFlight = 0;
  const counts = { completed: 0, failed: 0, canceled: 0 };
  /** Tokens charged since boot, over every agent (metrics); per-agent figures go with their agent. */
  const tokenTotals = { promptTokens: 0, completionTokens: 0 };

  const agentState = (id: AgentId): AgentState => {
    let a = agents.get(id);
    if (a === undefined) agents.set(id, (a = { weight: 1, requests: 0, promptTokens: 0, completionTokens: 0, cost: 0, inFlight: 0, tickets: new Set() }));
    return a;
  };

  /** Fills free slots (and the pipeline) in queue order, synchronously. Invariant: inFlight <= slots + pipeline. */
  const pump = (): void => {
    while (inFlight < maxInFlight) {
      const item = queue.pop();
      if (item === undefined) return;
      const t = tickets.get(item.id)!;
      t.state = 'running';
      inFlight++;
      t.agent.inFlight++;
      t.grant();
    }
  };

  const enqueue = (agentId: AgentId, rawReq: LlmRequest, rawOpts: LlmSubmitOptions | undefined): Ticket => {
    checkAgentId(agentId);
    const req = checkRequest(rawReq);
    const o = checkSubmitOptions(rawOpts);
    if (o.signal?.aborted === true) throw new AiosError('ECANCELED', 'llm request canceled before it was queued');
    if (queue.queuedOf(agentId) >= maxQueued) throw new AiosError('EAGAIN', 'too many queued llm requests', { agentId, max: maxQueued });
    const e = estimateRequest(req, est, defaultCompletion);
    const estTokens = e.promptTokens + e.completionTokens;
    const estCost = costOf(e, opts.pricing);
    ledger.admit(agentId, estTokens, estCost);
    const agent = agentState(agentId);
    const ctl = new AbortController();
    let grant!: () => void;
    let deny!: (e: AiosError) => void;
    const granted = new Promise<void>((res, rej) => { grant = res; deny = rej; });
    granted.catch(swallow);
    const aborted = new Promise<never>((_, rej) => ctl.signal.addEventListener('abort', () => rej(ctl.signal.reason), { once: true }));
    aborted.catch(swallow);
    const t: Ticket = {
      id: nextId++, agentId, est: estTokens, weight: o.weight ?? agent.weight, interactive: o.interactive === true,
      req, estPrompt: e.promptTokens, estCost, agent, ctl, state: 'queued', started: false, streamedTokens: 0,
      granted, grant, deny, aborted, detach: swallow,
    };
    if (o.signal !== undefined) {
      const sig = o.signal;
      const onAbort = (): void => cancel(t, new AiosError('ECANCELED', 'llm request canceled', { agentId }));
      sig.addEventListener('abort', onAbort, { once: true });
      t.detach = () => sig.removeEventListener('abort', onAbort);
    }
    tickets.set(t.id, t);
    agent.tickets.add(t);
    queue.push(t);
    pump();
    return t;
  };

  /** Ends a ticket's bookkeeping exactly once; charges `used` to fairness, budget and counters. */
  const settle = (t: Ticket, used: LlmUsage, outcome: keyof typeof counts): void => {
    if (t.state === 'done') return;
    const wasRunning = t.state === 'running';
    t.state = 'done';
    t.detach();
    tickets.delete(t.id);
    t.agent.tickets.delete(t);
    const tokens = used.promptTokens + used.completionTokens;
    const cost = costOf(used, opts.pricing);
    ledger.settle(t.agentId, { tokens: t.est, cost: t.estCost }, { tokens, cost });
    counts[outcome]++;
    if (wasRunning) {
      queue.charge(t, tokens);
      inFlight--;
      t.agent.inFlight--;
      if (t.started) {
        t.agent.requests++;
        t.agent.promptTokens += used.promptTokens;
        t.agent.completionTokens += used.completionTokens;
        t.agent.cost += cost;
        tokenTotals.promptTokens += used.promptTokens;
        tokenTotals.completionTokens += used.completionTokens;
      }
      pump();
    }
  };

  /** What a running request that ended without reported usage is charged. */
  const partialUsage = (t: Ticket): LlmUsage => {
    if (!t.started) return { promptTokens: 0, completionTokens: 0 };
    const worked = t.ctl.signal.aborted || t.streamedTokens > 0;
    return { promptTokens: worked ? t.estPrompt : 0, completionTokens: t.streamedTokens };
  };

  const cancel = (t: Ticket, reason: AiosError): void => {
    if (t.state === 'queued') {
      queue.remove(t.agentId, t.id);
      t.ctl.abort(reason);
      t.deny(reason);
      settle(t, { promptTokens: 0, completionTokens: 0 }, 'canceled');
    } else if (t.state === 'running') {
      // The caller rejects now (through t.aborted); the slot frees when the driver lets go.
      t.ctl.abort(reason);
      if (!t.started) settle(t, partialUsage(t), 'canceled');
    }
  };

  const mapError = (e: unknown, t: Ticket): AiosError => {
    if (t.ctl.signal.aborted) {
      const r: unknown = t.ctl.signal.reason;
      return r instanceof AiosError && r.code === 'ECANCELED' ? r : new AiosError('ECANCELED', 'llm request canceled', { agentId: t.agentId });
    }
    if (e instanceof AiosError) return e;
    return new AiosError('EIO', 'llm driver failed', { reason: e instanceof Error ? e.message : String(e), driver: driver.info.name }, { cause: e });
  };

  const runComplete = async (t: Ticket): Promise<LlmResult> => {
    await t.granted;
    t.started = true;
    const p = Promise.resolve().then(() => driver.complete(t.req, t.ctl.signal));
    p.then(
      (r) => settle(t, r.usage, 'completed'),
      () => settle(t, partialUsage(t), t.ctl.signal.aborted ? 'canceled' : 'failed'),
    );
    try {
      return await Promise.race([p, t.aborted]);
    } catch (e) {
      throw mapError(e, t);
    }
  };

  async function* runStream(t: Ticket): AsyncGenerator<LlmChunk> {
    await t.granted;
    let usage: LlmUsage | undefined;
    let it: AsyncIterator<LlmChunk> | undefined;
    let failed = false;
    try {
      t.started = true;
      it = driver.stream(t.req, t.ctl.signal)[Symbol.asyncIterator]();
      for (;;) {
        const r = await Promise.race([it.next(), t.aborted]);
        if (r.done === true) break;
        const c = r.value;
        if (c.done === true) usage = c.usage;
        else t.streamedTokens += est(c.delta);
        yield c;
      }
    } catch (e) {
      failed = true;
      throw mapError(e, t);
    } finally {
      if (usage === undefined) {
        // Early exit (consumer stopped, abort, error): free the backend too.
        t.ctl.abort(new AiosError('ECANCELED', 'llm stream closed', { agentId: t.agentId }));
        if (it?.return !== undefined) void Promise.resolve().then(() => it?.return?.()).catch(swallow);
      }
      const outcome = usage !== undefined ? 'completed' : failed && !t.ctl.signal.aborted ? 'failed' : 'canceled';
      settle(t, usage ?? partialUsage(t), outcome);
    }
  }

  const streamOf = (t: Ticket): AsyncIterableIterator<LlmChunk> => {
    let g: AsyncGenerator<LlmChunk> | undefined;
    const iter: AsyncIterableIterator<LlmChunk> = {
      next: () => (g ??= runStream(t)).next(),
      return: (value?: unknown) => {
        if (g === undefined) {
          cancel(t, new AiosError('ECANCELED', 'llm stream closed before it started', { agentId: t.agentId }));
          g = runStream(t);
        }
        return g.return(value as never);
      },
      [Symbol.asyncIterator]: () => iter,
    };
    return iter;
  };

  function cancelAgent(agentId: AgentId): number {
    checkAgentId(agentId);
    const a = agents.get(agentId);
    if (a === undefined) return 0;
    const list = [...a.tickets].filter((t) => !t.ctl.signal.aborted);
    for (const t of list) cancel(t, new AiosError('ECANCELED', 'agent canceled', { agentId }));
    return list.length;
  }

  return {
    driver,
    slots,
    submit: async (agentId, req, o) => runComplete(enqueue(agentId, req, o)),
    submitStream: (agentId, req, o) => streamOf(enqueue(agentId, req, o)),

    configureAgent(agentId, cfg) {
      checkAgentId(agentId);
      if (typeof cfg !== 'object' || cfg === null) throw new AiosError('EINVAL', 'config must be an object', { arg: 'cfg' });
      if (cfg.weight !== undefined) checkWeight(cfg.weight);
      if (cfg.parent !== undefined && cfg.parent !== null) checkAgentId(cfg.parent);
      const budget = cfg.budget === undefined || cfg.budget === null ? cfg.budget : checkBudget(cfg.budget);
      if (cfg.parent !== undefined) ledger.setParent(agentId, cfg.parent ?? undefined);
      if (budget !== undefined) ledger.setBudget(agentId, budget ?? undefined);
      if (cfg.weight !== undefined) agentState(agentId).weight = cfg.weight;
    },

    cancelAgent,

    removeAgent(agentId) {
      cancelAgent(agentId);
      agents.delete(agentId);
      queue.forget(agentId);
      ledger.remove(agentId);
    },

    usage(agentId) {
      checkAgentId(agentId);
      const a = agents.get(agentId);
      const budget = ledger.budgetOf(agentId);
      return {
        agentId,
        requests: a?.requests ?? 0,
        promptTokens: a?.promptTokens ?? 0,
        completionTokens: a?.completionTokens ?? 0,
        cost: a?.cost ?? 0,
        queued: queue.queuedOf(agentId),
        inFlight: a?.inFlight ?? 0,
        window: ledger.window(agentId),
        budget: budget === undefined ? null : { ...budget },
      };
    },

    stats: () => ({ policy: queue.policy, slots, pipeline, queued: queue.size, inFlight, virtualTime: queue.virtualTime, ...counts, ...tokenTotals }),

    setPolicy(policy) {
      if (policy !== 'wfq' && policy !== 'fifo') throw new AiosError('EINVAL', 'policy must be wfq or fifo', { arg: 'policy', value: policy });
      queue.policy = policy;
    },
  };
}

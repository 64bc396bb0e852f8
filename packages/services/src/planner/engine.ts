// The plan engine: keeps every plan's steps and states, starts steps whose dependencies are done (up to a
// parallelism limit across plans), retries failures with backoff, holds approval steps in `waiting`, and journals
// every change through the store before it starts anything that depends on it. Step execution is injected
// (runStep: the agent sends it through semantic-ipcd under the submitter's identity), as are the clock and timers,
// so the engine is tested without a kernel. Trusts validatePlan for plan shape; everything else is checked here.
//
// Durability contract (docs/planner.md): a step's start (attempt count) and its outcome are written to the store
// in order (one transaction per pump, each after the one before), so a step's records never land after those of
// a step that ran after it; submit, approve, reject and cancel resolve once their records are durable. After a crash, recover() brings
// back every unfinished plan: a step whose outcome was written never runs again; a step that was running runs
// again with the next attempt number (at least once; the handler sees ctx.attempt and a stable ctx.stepKey).

import { AiosError, limits, type PlanJson, type PlanState, type PlanStep, type PlanSummary, type PlanView, type StepState, type StepView, type WireError } from '@aios/abi';
import { resolveRefs, validatePlan } from './validate.ts';
import { planKey, stepKey as stepStoreKey, type PlanStore, type StoredPlan, type StoredStep } from './store.ts';

export interface Submitter {
  agent: number;
  name: string;
}

/** What runStep is given: the step, its input with references resolved, and its idempotency key and attempt. */
export interface StepCall {
  planId: string;
  step: PlanStep;
  input: unknown;
  /** 1 for the first start, counting starts interrupted by a crash. */
  attempt: number;
  /** `<plan id>/<step id>`: the same across attempts and restarts. */
  stepKey: string;
  timeoutMs: number;
  submitter: Submitter;
}

export interface EngineDeps {
  store: PlanStore;
  runStep(call: StepCall): Promise<unknown>;
  now(): number;
  /** Calls fn after ms (retry backoff). */
  later(ms: number, fn: () => void): void;
  newId(): string;
  /** Steps running at once across every plan (default limits.PLAN_PARALLEL_DEFAULT). */
  parallel?: number;
  /** Told of every plan state change (the agent publishes an event). */
  onPlanState?(plan: PlanView, prev: PlanState): void;
  log?(...a: unknown[]): void;
}

interface StepRt {
  def: PlanStep;
  state: StepState;
  attempts: number;
  output?: unknown;
  error?: WireError;
  approved?: boolean;
  /** Dependencies not done yet. */
  blockers: number;
  /** Set when a running attempt was abandoned (cancel): its outcome is ignored. */
  epoch: number;
}

interface PlanRt {
  id: string;
  goal: string;
  state: PlanState;
  submitter: Submitter;
  created: number;
  updated: number;
  version: number;
  steps: Map<string, StepRt>;
  children: Map<string, string[]>;
  ready: string[];
  running: number;
}

const TERMINAL: ReadonlySet<PlanState> = new Set(['done', 'failed', 'cancelled']);

function toWire(e: unknown): WireError {
  const o = e as { code?: unknown; message?: unknown; detail?: unknown };
  const w: WireError = { code: typeof o?.code === 'string' ? o.code : 'EIO', message: typeof o?.message === 'string' ? o.message : String(e) };
  if (typeof o?.detail === 'object' && o.detail !== null) w.detail = o.detail as Record<string, unknown>;
  return w;
}

/** The retry delay before attempt n+1 after n failed attempts. */
export function backoffMs(failedAttempts: number): number {
  return Math.min(limits.PLAN_RETRY_BACKOFF_MAX_MS, limits.PLAN_RETRY_BACKOFF_MS * 2 ** Math.max(0, failedAttempts - 1));
}

export class PlanEngine {
  private readonly plans = new Map<string, PlanRt>();
  /** Plans with ready steps, in round-robin order. */
  private readonly readyPlans: string[] = [];
  private running = 0;
  private readonly parallel: number;
  private dirty = new Map<string, unknown>();
  private pumping = false;
  private flushing: Promise<void> = Promise.resolve();
  private again = false;
  private readonly watchers = new Map<string, Array<() => void>>();

  constructor(private readonly deps: EngineDeps) {
    this.parallel = Math.max(1, deps.parallel ?? limits.PLAN_PARALLEL_DEFAULT);
  }

  // ---- submit and recover ----

  /** Validates (EINVAL, nothing starts), journals, and starts a plan; resolves with its id once it is durable. */
  async submit(raw: unknown, submitter: Submitter): Promise<string> {
    const plan = validatePlan(raw);
    let active = 0;
    for (const p of this.plans.values()) if (!TERMINAL.has(p.state)) active++;
    if (active >= limits.PLANS_ACTIVE_MAX) throw new AiosError('EQUOTA', `the planner runs at most ${limits.PLANS_ACTIVE_MAX} unfinished plans`, { resource: 'plans', limit: limits.PLANS_ACTIVE_MAX, used: active });
    const id = this.deps.newId();
    const now = this.deps.now();
    const rt = this.build(id, plan, submitter, now, 'pending', () => undefined);
    this.plans.set(id, rt);
    this.dirty.set(planKey(id), this.storedPlan(rt, plan));
    for (const s of rt.steps.values()) this.markStep(rt, s);
    this.prune();
    await this.pump();
    await this.durable();
    return id;
  }

  /** Brings back every plan of the store; unfinished ones resume. Returns how many resumed. */
  async recover(): Promise<number> {
    const { plans, steps } = await this.deps.store.load();
    let resumed = 0;
    for (const sp of plans) {
      const byStep = steps.get(sp.id) ?? new Map<string, StoredStep>();
      const rt = this.build(sp.id, { goal: sp.goal, steps: sp.steps }, sp.submitter, sp.created, sp.state, (id) => byStep.get(id));
      rt.updated = sp.updated;
      this.plans.set(sp.id, rt);
      if (TERMINAL.has(rt.state)) continue;
      resumed++;
      // A step that was running when the node died runs again (at least once); its attempt count was journaled.
      for (const s of rt.steps.values()) if (s.state === 'running') { s.state = 'pending'; this.markStep(rt, s); }
      this.enqueueReady(rt);
    }
    await this.pump();
    return resumed;
  }

  private build(id: string, plan: PlanJson, submitter: Submitter, created: number, state: PlanState, stored: (step: string) => StoredStep | undefined): PlanRt {
    const rt: PlanRt = { id, goal: plan.goal, state, submitter, created, updated: created, version: 1, steps: new Map(), children: new Map(), ready: [], running: 0 };
    for (const def of plan.steps) {
      const st = stored(def.id);
      const s: StepRt = { def, state: st?.state ?? 'pending', attempts: st?.attempts ?? 0, blockers: 0, epoch: 0 };
      if (st?.output !== undefined) s.output = st.output;
      if (st?.error !== undefined) s.error = st.error;
      if (st?.approved) s.approved = true;
      rt.steps.set(def.id, s);
      rt.children.set(def.id, []);
    }
    for (const s of rt.steps.values()) {
      for (const a of s.def.after ?? []) {
        rt.children.get(a)!.push(s.def.id);
        if (rt.steps.get(a)!.state !== 'done') s.blockers++;
      }
    }
    if (state === 'pending' || state === 'running' || state === 'waiting') this.enqueueReady(rt);
    return rt;
  }

  private enqueueReady(rt: PlanRt): void {
    rt.ready = [];
    for (const s of rt.steps.values()) if (s.blockers === 0 && (s.state === 'pending' || (s.state === 'waiting' && s.approved))) rt.ready.push(s.def.id);
    if (rt.ready.length > 0 && !this.readyPlans.includes(rt.id)) this.readyPlans.push(rt.id);
  }

  // ---- operator actions ----

  /** Approves (ok) or rejects a waiting step. Only steps in `waiting` can be decided (EINVAL otherwise). */
  async decide(id: string, stepId: string, ok: boolean): Promise<PlanView> {
    const rt = this.get(id);
    const s = rt.steps.get(stepId);
    if (s === undefined) throw new AiosError('ENOENT', `plan ${id} has no step ${stepId}`, { plan: id, step: stepId });
    if (s.state !== 'waiting') throw new AiosError('EINVAL', `step ${stepId} is ${s.state}, not waiting for approval`, { plan: id, step: stepId, state: s.state });
    if (ok) {
      s.approved = true;
      s.state = 'pending';
      this.markStep(rt, s);
      this.pushReady(rt, stepId);
    } else {
      s.state = 'failed';
      s.error = { code: 'ECANCELED', message: `step ${stepId} was rejected by an operator`, detail: { plan: id, step: stepId } };
      this.markStep(rt, s);
      this.failPlan(rt);
    }
    this.settlePlan(rt);
    await this.pump();
    await this.durable();
    return this.view(id, true);
  }

  /** Cancels a plan: steps not finished become cancelled; a running attempt's outcome is ignored. */
  async cancel(id: string): Promise<PlanView> {
    const rt = this.get(id);
    if (!TERMINAL.has(rt.state)) {
      for (const s of rt.steps.values()) {
        if (s.state === 'pending' || s.state === 'waiting' || s.state === 'running') {
          if (s.state === 'running') { s.epoch++; rt.running--; this.running--; }
          s.state = 'cancelled';
          this.markStep(rt, s);
        }
      }
      rt.ready = [];
      this.setPlanState(rt, 'cancelled');
      await this.pump();
      await this.durable();
    }
    return this.view(id, true);
  }

  // ---- reading ----

  has(id: string): boolean {
    return this.plans.has(id);
  }

  submitterOf(id: string): Submitter {
    return this.get(id).submitter;
  }

  view(id: string, outputs = true): PlanView {
    const rt = this.get(id);
    const steps: StepView[] = [];
    for (const s of rt.steps.values()) {
      const v: StepView = { id: s.def.id, intent: s.def.intent, state: s.state, attempts: s.attempts, after: s.def.after ?? [] };
      if (outputs && s.output !== undefined) v.output = s.output;
      if (s.error !== undefined) v.error = s.error;
      steps.push(v);
    }
    return { id: rt.id, goal: rt.goal, state: rt.state, steps, submitter: rt.submitter, created: rt.created, updated: rt.updated, version: rt.version };
  }

  /** Summaries, newest first; `visible` filters by submitter. */
  list(visible: (s: Submitter) => boolean, state?: PlanState): PlanSummary[] {
    const out: PlanSummary[] = [];
    for (const rt of this.plans.values()) {
      if (!visible(rt.submitter) || (state !== undefined && rt.state !== state)) continue;
      let done = 0;
      for (const s of rt.steps.values()) if (s.state === 'done') done++;
      out.push({ id: rt.id, goal: rt.goal, state: rt.state, steps: rt.steps.size, done, created: rt.created, updated: rt.updated });
    }
    return out.sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  }

  /** Resolves once the plan's version passes `since`, or after waitMs. */
  async watch(id: string, since: number, waitMs: number): Promise<PlanView> {
    const rt = this.get(id);
    if (rt.version <= since && waitMs > 0) {
      await new Promise<void>((resolve) => {
        let done = false;
        const fire = () => { if (!done) { done = true; resolve(); } };
        const list = this.watchers.get(id) ?? [];
        list.push(fire);
        this.watchers.set(id, list);
        this.deps.later(waitMs, fire);
      });
    }
    return this.view(id, true);
  }

  stats(): { plans: number; active: number; running: number } {
    let active = 0;
    for (const p of this.plans.values()) if (!TERMINAL.has(p.state)) active++;
    return { plans: this.plans.size, active, running: this.running };
  }

  private get(id: string): PlanRt {
    const rt = typeof id === 'string' ? this.plans.get(id) : undefined;
    if (rt === undefined) throw new AiosError('ENOENT', `no plan ${String(id)}`, { plan: id });
    return rt;
  }

  // ---- the pump ----

  /** Starts what can start (journaling the starts first), until nothing more can. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const starts = this.pick();
        // Journal writes are queued in order and not awaited before dispatch: a step's record is always in an
        // earlier (or the same) transaction than the records of steps that ran after it, so a recorded step's
        // ancestors are recorded too, and a step whose record did not land simply runs again (at least once).
        void this.flush();
        for (const [rt, s] of starts) this.dispatch(rt, s);
      } while (this.again || this.dirty.size > 0);
    } finally {
      this.pumping = false;
    }
  }

  /** Chooses the steps to start now, round-robin across plans, up to the parallelism limit; marks them running. */
  private pick(): Array<[PlanRt, StepRt]> {
    const out: Array<[PlanRt, StepRt]> = [];
    // Every turn takes one step off a plan's ready list or stops, so the loop ends.
    while (this.readyPlans.length > 0) {
      const id = this.readyPlans.shift()!;
      const rt = this.plans.get(id);
      if (rt === undefined || TERMINAL.has(rt.state) || rt.ready.length === 0) continue;
      const s = rt.steps.get(rt.ready[0]!)!;
      if (s.def.approval && !s.approved && s.state === 'pending') {
        rt.ready.shift();
        s.state = 'waiting';
        this.markStep(rt, s);
      } else if (s.state !== 'pending' || s.blockers > 0) {
        rt.ready.shift(); // stale entry
      } else if (this.running >= this.parallel) {
        this.readyPlans.unshift(id);
        break;
      } else {
        rt.ready.shift();
        s.state = 'running';
        s.attempts++;
        rt.running++;
        this.running++;
        this.markStep(rt, s);
        out.push([rt, s]);
      }
      if (rt.ready.length > 0) this.readyPlans.push(id);
      this.settlePlan(rt);
    }
    return out;
  }

  private dispatch(rt: PlanRt, s: StepRt): void {
    const epoch = s.epoch;
    let input: unknown;
    try {
      input = resolveRefs(s.def.input, (ref) => rt.steps.get(ref)?.output ?? null);
    } catch (e) {
      this.finish(rt, s, epoch, false, e);
      return;
    }
    const call: StepCall = {
      planId: rt.id, step: s.def, input, attempt: s.attempts, stepKey: `${rt.id}/${s.def.id}`,
      timeoutMs: s.def.timeoutMs ?? limits.PLAN_STEP_TIMEOUT_MS, submitter: rt.submitter,
    };
    let p: Promise<unknown>;
    try {
      p = Promise.resolve(this.deps.runStep(call));
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then((v) => this.finish(rt, s, epoch, true, v), (e) => this.finish(rt, s, epoch, false, e));
  }

  private finish(rt: PlanRt, s: StepRt, epoch: number, ok: boolean, v: unknown): void {
    if (s.epoch !== epoch || s.state !== 'running') return; // abandoned (cancelled)
    rt.running--;
    this.running--;
    if (ok) {
      s.state = 'done';
      s.output = v === undefined ? null : v;
      delete s.error;
      this.markStep(rt, s);
      if (rt.state !== 'failed') {
        for (const c of rt.children.get(s.def.id)!) {
          const cs = rt.steps.get(c)!;
          if (--cs.blockers === 0 && cs.state === 'pending') this.pushReady(rt, c);
        }
      }
    } else {
      s.error = toWire(v);
      const retries = s.def.retries ?? 0;
      const code = s.error.code;
      // EINVAL from validation, EACCES and ENOROUTE will not change on a retry.
      const retryable = code !== 'EACCES' && code !== 'EPERM' && code !== 'ECANCELED';
      if (retryable && s.attempts <= retries && rt.state !== 'failed') {
        s.state = 'pending';
        this.markStep(rt, s);
        this.deps.later(backoffMs(s.attempts), () => {
          if (s.state === 'pending' && !TERMINAL.has(rt.state)) {
            this.pushReady(rt, s.def.id);
            void this.pump();
          }
        });
      } else {
        s.state = 'failed';
        this.markStep(rt, s);
        this.failPlan(rt);
      }
    }
    this.settlePlan(rt);
    void this.pump();
  }

  private pushReady(rt: PlanRt, stepId: string): void {
    rt.ready.push(stepId);
    if (!this.readyPlans.includes(rt.id)) this.readyPlans.push(rt.id);
  }

  /** A step failed: steps not started are skipped; running ones finish and record their outcome. */
  private failPlan(rt: PlanRt): void {
    for (const s of rt.steps.values()) {
      if (s.state === 'pending' || s.state === 'waiting') {
        s.state = 'skipped';
        this.markStep(rt, s);
      }
    }
    rt.ready = [];
    this.setPlanState(rt, 'failed');
  }

  /** Derives a live plan's state from its steps. */
  private settlePlan(rt: PlanRt): void {
    if (TERMINAL.has(rt.state)) return;
    let done = 0;
    let waiting = 0;
    for (const s of rt.steps.values()) {
      if (s.state === 'done') done++;
      else if (s.state === 'waiting') waiting++;
    }
    let next: PlanState;
    if (done === rt.steps.size) next = 'done';
    else if (rt.running > 0 || rt.ready.length > 0) next = 'running';
    else if (waiting > 0) next = 'waiting';
    else next = rt.state === 'pending' ? 'pending' : 'running'; // a retry's backoff
    this.setPlanState(rt, next);
  }

  private setPlanState(rt: PlanRt, next: PlanState): void {
    if (rt.state === next) return;
    const prev = rt.state;
    rt.state = next;
    rt.updated = this.deps.now();
    this.dirty.set(planKey(rt.id), { ...(this.dirty.get(planKey(rt.id)) as StoredPlan | undefined ?? this.storedPlan(rt)), state: next, updated: rt.updated });
    this.bump(rt);
    try {
      this.deps.onPlanState?.(this.view(rt.id, false), prev);
    } catch {
      /* observers never break the engine */
    }
  }

  private markStep(rt: PlanRt, s: StepRt): void {
    const st: StoredStep = { state: s.state, attempts: s.attempts };
    if (s.output !== undefined) st.output = s.output;
    if (s.error !== undefined) st.error = s.error;
    if (s.approved) st.approved = true;
    this.dirty.set(stepStoreKey(rt.id, s.def.id), st);
    rt.updated = this.deps.now();
    this.bump(rt);
  }

  private bump(rt: PlanRt): void {
    rt.version++;
    const w = this.watchers.get(rt.id);
    if (w) {
      this.watchers.delete(rt.id);
      for (const f of w) f();
    }
  }

  private storedPlan(rt: PlanRt, plan?: PlanJson): StoredPlan {
    const steps = plan?.steps ?? [...rt.steps.values()].map((s) => s.def);
    return { id: rt.id, goal: rt.goal, steps, state: rt.state, submitter: rt.submitter, created: rt.created, updated: rt.updated };
  }

  /** Queues every dirty record as one batch after the batches before it; resolves when all of them are durable. */
  private flush(): Promise<void> {
    if (this.dirty.size === 0) return this.flushing;
    const batch = this.dirty;
    this.dirty = new Map();
    this.flushing = this.flushing.then(() => this.deps.store.write(batch)).catch((e: unknown) => {
      this.deps.log?.(`journal write failed (${batch.size} records): ${(e as Error).message}`);
    });
    return this.flushing;
  }

  /** Resolves when everything changed so far is durable. */
  durable(): Promise<void> {
    return this.flush();
  }

  /** Forgets the oldest finished plans beyond limits.PLANS_KEPT (and deletes their records). */
  private prune(): void {
    if (this.plans.size <= limits.PLANS_KEPT) return;
    const finished = [...this.plans.values()].filter((p) => TERMINAL.has(p.state)).sort((a, b) => a.updated - b.updated);
    for (const p of finished.slice(0, this.plans.size - limits.PLANS_KEPT)) {
      this.plans.delete(p.id);
      this.dirty.set(planKey(p.id), null);
      for (const s of p.steps.keys()) this.dirty.set(stepStoreKey(p.id, s), null);
    }
  }
}

// The planner service agent (native; `storage` and `model` devices and semantic-ipcd in its namespace; ADMIN to
// read who is asking). Serves the PLANNER protocol (abi/protocols/planner.ts) with createProtocolServer, journals
// plans in the storage device's durable KV (store.ts) and resumes unfinished ones at start. Steps run through
// semantic-ipcd's `ask` with the submitter named as onBehalfOf: semantic-ipcd applies its policy to the submitter
// as well as to the planner, so a plan never reaches an intent its submitter could not ask itself (EACCES).
// Trusts the kernel's `from` stamp; plans are validated (validate.ts) before anything starts.

import { defineAgent } from '@aios/runtime';
import { agentInfo, agentOpen, clockNow, deviceCall, eventPublish, handleClose, llmComplete, nsLookup, selfInfo, sleep } from '@aios/runtime/kernel';
import { SHUTDOWN_TAG, createProtocolServer } from '@aios/runtime/orchestration';
import { call } from '@aios/runtime/ipc';
import { AiosError, PLANNER, Rights, limits, type Handle, type PlanState } from '@aios/abi';
import { deviceStorage, describeDevice } from '../devices/proxy.ts';
import { PlanEngine, type StepCall, type Submitter } from './engine.ts';
import { kvPlanStore } from './store.ts';
import { planDot } from './dot.ts';
import { planOffline, planWithModel, type IntentInfo } from './goal.ts';

/** planner's ctx.config (from its unit's opts.config). */
export interface PlannerConfig {
  /** Steps running at once across plans (default limits.PLAN_PARALLEL_DEFAULT). */
  parallel?: number;
  /** After start, how long a resumed step that finds no route (its agent not back yet) waits and asks again (default 20 s). */
  resumeGraceMs?: number;
}

const WATCH_DEFAULT_MS = 25_000;
const WATCH_MAX_MS = 60_000;
const MAKE_TIMEOUT_MS = 180_000;
const STATES: readonly PlanState[] = ['pending', 'running', 'waiting', 'done', 'failed', 'cancelled'];

export default defineAgent({
  name: 'planner',
  version: '1.0.0',
  description: 'turns goals into durable plans and carries them out over semantic IPC',
  async main(ctx) {
    const cfg = (ctx.config ?? {}) as PlannerConfig;
    const log = (...a: unknown[]) => ctx.log(...a);
    const storage = deviceStorage(nsLookup('storage'), (h, m, a) => deviceCall(h, m, a), 'storage');
    const sipc = nsLookup('semantic-ipcd');
    let model: Handle | null = null;
    try {
      model = nsLookup('model');
    } catch {
      /* no model device: the offline planner only */
    }
    const modelInfo = model === null ? null : await describeDevice(model, deviceCall);
    const realModel = modelInfo !== null && modelInfo.name !== 'llm-offline';
    // The operator is the root agent (the node's host: CLI and HTTP API): the parent of initd, our parent.
    const rootId = (() => {
      try {
        const h = agentOpen(selfInfo().parent!, Rights.INSPECT);
        const p = agentInfo(h).parent;
        handleClose(h);
        return p ?? -1;
      } catch {
        return -1;
      }
    })();
    const names = new Map<number, string>();
    const who = (agent: number): Submitter => {
      let name = names.get(agent);
      if (name === undefined) {
        try {
          const h = agentOpen(agent, Rights.INSPECT);
          name = agentInfo(h).name;
          handleClose(h);
        } catch {
          name = '';
        }
        if (names.size > 4_096) names.clear();
        names.set(agent, name);
      }
      return { agent, name };
    };
    const isOperator = (from: number) => from === rootId;
    const mine = (from: number, s: Submitter) => isOperator(from) || (s.agent === from && s.name === who(from).name);

    const startedAt = clockNow();
    const grace = Number.isInteger(cfg.resumeGraceMs) ? cfg.resumeGraceMs! : 20_000;
    let firstStepLogged = false;
    /** One step through semantic-ipcd: ask semantics, the submitter's identity, the step's key and attempt. */
    const runStep = async (c: StepCall): Promise<unknown> => {
      if (!firstStepLogged) {
        firstStepLogged = true;
        log(`first step started ${clockNow() - startedAt} ms after start`);
      }
      const req = {
        op: 'ask', text: c.step.intent, ...(c.input !== undefined ? { payload: c.input } : {}), timeoutMs: c.timeoutMs,
        onBehalfOf: c.submitter, step: { key: c.stepKey, attempt: c.attempt },
      };
      for (;;) {
        try {
          return await call(sipc, req, { timeoutMs: c.timeoutMs + 5_000 });
        } catch (e) {
          // Right after a restart the agents serving intents may not be back yet: wait for them a little.
          const code = (e as { code?: string }).code;
          if ((code === 'ENOROUTE' || code === 'ESRCH') && clockNow() - startedAt < grace) {
            await sleep(200);
            continue;
          }
          throw e;
        }
      }
    };
    const engine = new PlanEngine({
      store: kvPlanStore(storage, log),
      runStep,
      now: () => Date.now(),
      later: (ms, fn) => void sleep(Math.max(1, Math.ceil(ms))).then(fn, fn),
      newId: () => crypto.randomUUID().replace(/-/g, '').slice(0, 12),
      ...(Number.isInteger(cfg.parallel) && cfg.parallel! > 0 ? { parallel: cfg.parallel! } : {}),
      onPlanState: (v, prev) => {
        try {
          eventPublish('plan', { id: v.id, state: v.state, prev, submitter: v.submitter.agent });
        } catch {
          /* the event bus is best effort; the journal has the state */
        }
      },
      log,
    });
    const resumed = await engine.recover();
    log(`ready: ${engine.stats().plans} plan(s) known, ${resumed} resumed, ${realModel ? 'model' : 'offline'} planner`);

    const visible = (id: string, from: number): void => {
      if (!engine.has(id)) throw new AiosError('ENOENT', `no plan ${String(id)}`, { plan: id });
      if (!mine(from, engine.submitterOf(id))) throw new AiosError('EACCES', `plan ${id} belongs to another agent`, { plan: id });
    };
    const operator = (from: number, what: string): void => {
      if (!isOperator(from)) throw new AiosError('EACCES', `only an operator (the node's host: aios plan ${what}) may ${what} a step`, { op: what });
    };
    const intents = async (): Promise<IntentInfo[]> => (await call<IntentInfo[]>(sipc, { op: 'intents' })).filter((i) => typeof i?.intent === 'string');

    const parent = selfInfo().parent;
    const server = createProtocolServer(PLANNER, {
      submit: async (req, rc) => ({ id: await engine.submit(req.plan, who(rc.from)) }),
      make: async (req, rc) => {
        if (typeof req.goal !== 'string' || req.goal.trim().length === 0 || req.goal.length > limits.PLAN_GOAL_MAX_CHARS) {
          throw new AiosError('EINVAL', `goal must be text of 1..${limits.PLAN_GOAL_MAX_CHARS} characters`, { arg: 'goal' });
        }
        const list = await intents();
        const made = realModel
          ? await planWithModel(req.goal, list, async (system, user) => (await llmComplete(model!, { messages: [{ role: 'system', content: system }, { role: 'user', content: user }], temperature: 0, maxTokens: 2_048 })).text)
          : await planOffline(req.goal, list, async (text) => {
            try {
              return await call<{ intent: string; score: number }>(sipc, { op: 'match', text });
            } catch (e) {
              if ((e as { code?: string }).code === 'ENOROUTE') return null;
              throw e;
            }
          });
        if (req.submit === true) made.id = await engine.submit(made.plan, who(rc.from));
        return made;
      },
      show: (req, rc) => (visible(req.planId, rc.from), engine.view(req.planId, req.outputs !== false)),
      ls: (req, rc) => {
        if (req.state !== undefined && !STATES.includes(req.state)) throw new AiosError('EINVAL', `state must be one of ${STATES.join(', ')}`, { arg: 'state' });
        return engine.list((s) => mine(rc.from, s), req.state);
      },
      approve: async (req, rc) => (visible(req.planId, rc.from), operator(rc.from, 'approve'), engine.decide(req.planId, req.step, true)),
      reject: async (req, rc) => (visible(req.planId, rc.from), operator(rc.from, 'reject'), engine.decide(req.planId, req.step, false)),
      cancel: async (req, rc) => (visible(req.planId, rc.from), engine.cancel(req.planId)),
      graph: (req, rc) => (visible(req.planId, rc.from), { dot: planDot(engine.view(req.planId, false)) }),
      watch: async (req, rc) => {
        visible(req.planId, rc.from);
        const waitMs = req.waitMs === undefined ? WATCH_DEFAULT_MS : req.waitMs;
        if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > WATCH_MAX_MS) throw new AiosError('EINVAL', `waitMs must be an integer 0..${WATCH_MAX_MS}`, { arg: 'waitMs' });
        const v = await engine.watch(req.planId, typeof req.since === 'number' ? req.since : 0, waitMs);
        return req.outputs === false ? { ...v, steps: v.steps.map(({ output: _o, ...s }) => s) } : v;
      },
    }, {
      concurrency: 512,
      perSenderConcurrency: 256,
      requestTimeoutMs: (req) => (req.op === 'watch' ? WATCH_MAX_MS + 5_000 : req.op === 'make' ? MAKE_TIMEOUT_MS : limits.SERVE_REQUEST_TIMEOUT_MS),
      log,
      other: (m) => (m.tag === SHUTDOWN_TAG && m.from === parent ? 'stop' : undefined),
    });
    await server.run();
  },
});

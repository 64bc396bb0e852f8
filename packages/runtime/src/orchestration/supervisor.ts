// supervise(): an Erlang/OTP supervisor as a library, running inside the calling
// agent. It spawns its children, reads their exit and trap notices (kernel-stamped,
// unforgeable), restarts them per strategy and restart type, and gives up (stops
// its children, exit code 1) past its restart intensity. Crash reports go to the
// agent's log and to the event bus as `supervisor.crash` (user.<id>.supervisor.crash),
// which the kernel audits (crash-report.ts).

import { AiosError, type AgentId, type Handle, type Message } from '@aios/abi';
import { agentInfo, agentSpawn, asyncWait, clockNow, exit, selfInfo } from '../kernel/stubs.gen.ts';
import { crashReport } from './crash-report.ts';
import { wrapMessage } from '../agent/entry.ts';
import type { ReceivedMessage } from '../agent/define.ts';
import {
  normalizeFlags, normalizeSpec, normalizeSpecs, shouldRestart,
  type ChildSpec, type ChildType, type NormalizedSpec, type RestartType, type SupFlags,
} from './childspec.ts';
import { createInbox, isNotice, readNotice, type Inbox } from './inbox.ts';
import { restartWindow } from './intensity.ts';
import { detachChild } from './child-slot.ts';
import { SHUTDOWN_TAG, stopAgents, type Shutdown } from './shutdown.ts';

export interface ChildInfo {
  id: string;
  /** The running agent, or null when the child is not running. */
  agent: AgentId | null;
  type: ChildType;
  restart: RestartType;
  shutdown: Shutdown;
  /** Times this child was restarted. */
  restarts: number;
}

export interface ChildCounts {
  specs: number;
  active: number;
  supervisors: number;
  workers: number;
}

export interface SupervisorExit {
  code: number;
  reason: string;
}

export interface SupervisorOptions {
  /** Messages that are not supervision's (not a child's notice, not a shutdown request from the parent). */
  onMessage?(msg: ReceivedMessage, sup: Supervisor): unknown;
  /** handle() mode only: called once the supervisor has stopped. Default: exit(code). */
  onStop?(result: SupervisorExit): unknown;
  /** Also publish a `supervisor.crash` event per report (default true). */
  publish?: boolean;
}

export interface Supervisor {
  readonly strategy: Required<SupFlags>['strategy'];
  readonly flags: Readonly<Required<SupFlags>>;
  /** Static strategies: adds and starts a ChildSpec. simple_one_for_one: starts a child of the template with `args` as its config. */
  startChild(specOrArgs?: ChildSpec | unknown): Promise<ChildInfo>;
  /** Stops a child (by id, or agent id); its spec stays (static strategies) or goes (simple_one_for_one). */
  terminateChild(id: string | AgentId): Promise<void>;
  /** Starts again a stopped child whose spec is kept (EBUSY when running). */
  restartChild(id: string): Promise<ChildInfo>;
  /** Forgets a stopped child's spec (EBUSY when running). */
  deleteChild(id: string): void;
  whichChildren(): ChildInfo[];
  countChildren(): ChildCounts;
  /** Feeds one message (agents that use onMessage); true when supervision consumed it. */
  handle(msg: Message): Promise<boolean>;
  /** Receives and handles messages until the supervisor stops; resolves with its exit status. */
  run(): Promise<SupervisorExit>;
  /** Stops every child in reverse start order; the supervisor is then stopped with code 0. */
  stop(reason?: string): Promise<SupervisorExit>;
  /** Non-null once stopped (shutdown or give-up). */
  readonly stopped: SupervisorExit | null;
}

interface Child {
  spec: NormalizedSpec;
  id: string;
  args?: unknown;
  agent: AgentId | null;
  handle: Handle | null;
  restarts: number;
}

const MAX_REASON = 2_000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Starts a supervisor in the calling agent: validates flags and specs (EINVAL), starts
 * the children in order (simple_one_for_one starts none), and resolves once they run.
 * If a child fails to start, the ones started are stopped in reverse order and the error
 * is thrown with the child's id in its detail. The caller then calls run() (or feeds
 * handle() from onMessage). The agent needs the spawn privilege.
 */
export async function supervise(flags: SupFlags | undefined, specs: ChildSpec[], opts: SupervisorOptions = {}): Promise<Supervisor> {
  const f = normalizeFlags(flags);
  const normalized = normalizeSpecs(specs, f.strategy);
  const me = selfInfo();
  const now = () => clockNow();
  const inbox: Inbox = createInbox(now);
  const window = restartWindow(f.intensity, f.period);
  const children: Child[] = [];
  const byAgent = new Map<AgentId, Child>();
  const template = f.strategy === 'simple_one_for_one' ? normalized[0]! : null;
  let dynamicSeq = 0;
  let stopped: SupervisorExit | null = null;

  const info = (c: Child): ChildInfo => ({ id: c.id, agent: c.agent, type: c.spec.type, restart: c.spec.restart, shutdown: c.spec.shutdown, restarts: c.restarts });

  const report = (kind: string, data: Record<string, unknown>): void =>
    crashReport({ supervisor: me.id, supervisorName: me.name, strategy: f.strategy }, kind, data, opts.publish !== false);

  async function spawnChild(c: Child): Promise<void> {
    const o = { ...c.spec.start.opts };
    if (c.args !== undefined) o.config = isPlainObject(o.config) && isPlainObject(c.args) ? { ...o.config, ...c.args } : c.args;
    const h = (await asyncWait(agentSpawn(c.spec.start.image, o))) as Handle;
    const id = agentInfo(h).id;
    c.handle = h;
    c.agent = id;
    byAgent.set(id, c);
  }

  const detach = (c: Child): void => detachChild(c, byAgent);

  function remove(c: Child): void {
    const i = children.indexOf(c);
    if (i >= 0) children.splice(i, 1);
  }

  async function stopChild(c: Child): Promise<void> {
    if (c.agent === null || c.handle === null) return;
    await stopAgents(inbox, now, [{ agent: c.agent, handle: c.handle, shutdown: c.spec.shutdown }]);
    detach(c);
  }

  async function stopAll(list: Child[]): Promise<void> {
    for (const c of [...list].reverse()) await stopChild(c);
  }

  async function giveUp(reason: string): Promise<void> {
    report('shutdown', { reason, intensity: f.intensity, period: f.period, children: children.map((c) => c.id) });
    await stopAll(children);
    stopped = { code: 1, reason: `shutdown: ${reason}` };
  }

  /** Starts each child in order; a start that fails counts as a restart and is retried until the intensity is spent. */
  async function startEach(list: Child[]): Promise<boolean> {
    for (const c of list) {
      for (;;) {
        try {
          await spawnChild(c);
          break;
        } catch (e) {
          const err = e as { code?: string; message?: string };
          report('start_error', { child: c.id, error: err.code ?? 'EIO', message: String(err.message ?? e).slice(0, MAX_REASON) });
          if (!window.add(now())) {
            await giveUp('reached_max_restart_intensity');
            return false;
          }
        }
      }
    }
    return true;
  }

  async function onNotice(m: Message, c: Child): Promise<void> {
    const n = readNotice(m);
    detach(c);
    const code = n?.code ?? 1;
    const abnormal = m.tag === 'trap' || code !== 0;
    const exitData = { child: c.id, agent: m.from, code, reason: String(n?.reason ?? '').slice(0, MAX_REASON), ...(n?.trap ? { trap: { kind: n.trap.kind, message: String(n.trap.message).slice(0, MAX_REASON) } } : {}) };
    if (!shouldRestart(c.spec.restart, abnormal)) {
      if (abnormal) report('child_terminated', { ...exitData, action: 'none' });
      if (c.spec.restart === 'temporary' || template !== null) remove(c);
      return;
    }
    if (!window.add(now())) {
      report('child_terminated', { ...exitData, action: 'give_up' });
      await giveUp('reached_max_restart_intensity');
      return;
    }
    report('child_terminated', { ...exitData, action: 'restart' });
    let toStart: Child[];
    if (f.strategy === 'one_for_all' || f.strategy === 'rest_for_one') {
      const from = f.strategy === 'one_for_all' ? 0 : children.indexOf(c) + 1;
      const others = children.slice(from).filter((x) => x !== c);
      await stopAll(others);
      // Temporary siblings are never restarted, even when a sibling's death stopped them.
      for (const x of others) if (x.spec.restart === 'temporary') remove(x);
      toStart = children.slice(f.strategy === 'one_for_all' ? 0 : children.indexOf(c)).filter((x) => x.agent === null && (x === c || others.includes(x)));
    } else {
      toStart = [c];
    }
    for (const x of toStart) x.restarts += 1;
    await startEach(toStart);
  }

  async function dispatch(m: Message): Promise<boolean> {
    if (isNotice(m)) {
      const c = byAgent.get(m.from);
      if (c !== undefined) {
        await onNotice(m, c);
        return true;
      }
    } else if (m.tag === SHUTDOWN_TAG && (m.from === me.parent || m.from === me.id)) {
      await sup.stop('shutdown');
      return true;
    }
    if (opts.onMessage) await opts.onMessage(wrapMessage(m), sup);
    return false;
  }

  function find(id: string | AgentId): Child {
    const c = typeof id === 'number' ? byAgent.get(id) : children.find((x) => x.id === id);
    if (c === undefined) throw new AiosError('ENOENT', `no child ${String(id)}`, { child: id });
    return c;
  }

  function alive(): void {
    if (stopped) throw new AiosError('ECANCELED', `supervisor has stopped (${stopped.reason})`, { reason: stopped.reason });
  }

  const sup: Supervisor = {
    strategy: f.strategy,
    flags: f,
    get stopped() {
      return stopped;
    },
    async startChild(arg) {
      alive();
      let c: Child;
      if (template !== null) {
        c = { spec: template, id: `${template.id}#${++dynamicSeq}`, args: arg, agent: null, handle: null, restarts: 0 };
      } else {
        const spec = normalizeSpec(arg as ChildSpec);
        if (children.some((x) => x.id === spec.id)) throw new AiosError('EEXIST', `child '${spec.id}' already exists`, { child: spec.id });
        c = { spec, id: spec.id, agent: null, handle: null, restarts: 0 };
      }
      await spawnChild(c);
      children.push(c);
      return info(c);
    },
    async terminateChild(id) {
      alive();
      const c = find(id);
      await stopChild(c);
      if (template !== null) remove(c);
    },
    async restartChild(id) {
      alive();
      const c = find(id);
      if (c.agent !== null) throw new AiosError('EBUSY', `child '${c.id}' is running`, { child: c.id });
      await spawnChild(c);
      return info(c);
    },
    deleteChild(id) {
      alive();
      const c = find(id);
      if (c.agent !== null) throw new AiosError('EBUSY', `child '${c.id}' is running`, { child: c.id });
      remove(c);
    },
    whichChildren: () => children.map(info),
    countChildren() {
      const active = children.filter((c) => c.agent !== null);
      return { specs: template ? 1 : children.length, active: active.length, supervisors: active.filter((c) => c.spec.type === 'supervisor').length, workers: active.filter((c) => c.spec.type === 'worker').length };
    },
    async handle(msg) {
      if (stopped) return false;
      const consumed = await dispatch(msg);
      // Closure state changes across awaits: read it through a function so TS does not keep the narrowing.
      const done = (): SupervisorExit | null => stopped;
      while (!done() && inbox.stashed > 0) await dispatch(await inbox.next());
      const end = done();
      if (end) await (opts.onStop ? opts.onStop(end) : exit(end.code));
      return consumed;
    },
    async run() {
      while (!stopped) await dispatch(await inbox.next());
      return stopped;
    },
    async stop(reason = 'shutdown') {
      if (stopped) return stopped;
      await stopAll(children);
      stopped = { code: 0, reason };
      return stopped;
    },
  };

  if (template === null) {
    for (const spec of normalized) {
      const c: Child = { spec, id: spec.id, agent: null, handle: null, restarts: 0 };
      try {
        await spawnChild(c);
      } catch (e) {
        await stopAll(children);
        if (e instanceof AiosError) throw new AiosError(e.code, `child '${spec.id}' did not start: ${e.message}`, { ...(e.detail ?? {}), child: spec.id });
        throw e;
      }
      children.push(c);
    }
  }
  return sup;
}

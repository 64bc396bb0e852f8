// The dependency manager: runs units as child agents of the caller (initd) in graph
// order, independent units in parallel, restarts them per policy in the runtime
// supervisor's vocabulary (restart type, per-unit intensity window, rest_for_one over
// the dependency levels, `supervisor.crash` reports, which the kernel audits),
// and stops them in reverse order. Trusts the kernel's exit notices; the units were
// checked by units.ts and the graph by graph.ts.

import { AiosError, Rights, type AgentId, type Handle, type Message, type SpawnOptions } from '@aios/abi';
import { agentInfo, agentSpawn, asyncWait, clockNow, eventPublish, log, nsLookup, selfInfo } from '@aios/runtime/kernel';
import { crashReport, detachChild, readNotice, restartWindow, shouldRestart, stopAgents, type CrashReporter, type Inbox, type RestartWindow } from '@aios/runtime/orchestration';
import { buildGraph, dependentsClosure, groupByLevel, requiredClosure, stopLevels, toDot, toTree, type UnitGraph } from './graph.ts';
import { RESTART_TYPE, runnable, unitFlags, type InitdConfig, type Unit } from './units.ts';

// A unit's state and status row are declared with initd's protocol table (@aios/abi INITD).
export type { UnitState, UnitStatus } from '@aios/abi';
import type { UnitState, UnitStatus } from '@aios/abi';

export interface BootReport {
  levels: string[][];
  started: string[];
  failed: string[];
  unavailable: string[];
  ms: number;
}

export interface Manager {
  readonly graph: UnitGraph;
  /** Starts every runnable unit, level by level. */
  boot(): Promise<BootReport>;
  /** Starts a unit and what it requires; returns the units started (in order). */
  start(name: string): Promise<string[]>;
  /** Stops a unit and the units that require it (dependents first); returns the units stopped. */
  stop(name: string): Promise<string[]>;
  /** Stops then starts the unit and its running dependents. */
  restart(name: string): Promise<string[]>;
  /** Stops every running unit in reverse order. */
  shutdown(): Promise<string[]>;
  /** Handles an exit or trap notice; false when it is not from a unit's agent. */
  onNotice(m: Message): Promise<boolean>;
  ls(): UnitStatus[];
  dot(): string;
  tree(): string;
}

interface Run {
  unit: Unit;
  state: UnitState;
  agent: AgentId | null;
  handle: Handle | null;
  restarts: number;
  window: RestartWindow;
  /** The unit's restart intensity (OTP MaxR in MaxT s). */
  flags: { intensity: number; period: number };
  why?: string;
  lastExit?: { code: number; reason: string };
}

export interface ManagerOptions {
  inbox: Inbox;
  /** Default restart intensity of every unit (a unit's own intensity/period wins); see unitFlags. */
  flags?: Pick<InitdConfig, 'intensity' | 'period' | 'startLimit'>;
  /** The older name: { burst, intervalS } is { intensity, period }. */
  startLimit?: { burst?: number; intervalS?: number };
}

/** Builds the manager. EINVAL (from buildGraph) when a unit requires an unknown unit or the graph has a cycle. */
export function createManager(units: Unit[], opts: ManagerOptions): Manager {
  const { ok, why } = runnable(units);
  // The whole graph is checked (a cycle among units that cannot run is still an error in the files).
  const full = buildGraph(units.map((u) => ({ name: u.name, requires: u.requires, after: u.after })));
  const graph = buildGraph(units.filter((u) => ok.has(u.name)).map((u) => ({ name: u.name, requires: u.requires, after: u.after })));
  const now = () => clockNow();
  const defaults = { ...(opts.startLimit ? { startLimit: opts.startLimit } : {}), ...(opts.flags ?? {}) };
  const runs = new Map<string, Run>();
  for (const u of units) {
    const flags = unitFlags(u, defaults);
    runs.set(u.name, { unit: u, state: ok.has(u.name) ? 'inactive' : 'unavailable', agent: null, handle: null, restarts: 0, flags, window: restartWindow(flags.intensity, flags.period), ...(why.has(u.name) ? { why: why.get(u.name) } : {}) });
  }
  /** An explicit start or restart clears the unit's intensity window. */
  const freshWindow = (r: Run): void => {
    r.window = restartWindow(r.flags.intensity, r.flags.period);
  };
  // initd is a rest_for_one supervisor over the dependency levels: a unit's dependents come after it.
  let reporter: CrashReporter | null = null;
  const report = (kind: string, data: Record<string, unknown>): void => {
    if (reporter === null) {
      const me = selfInfo();
      reporter = { supervisor: me.id, supervisorName: me.name, strategy: 'rest_for_one' };
    }
    crashReport(reporter, kind, data);
  };
  const byAgent = new Map<AgentId, Run>();

  const get = (name: string): Run => {
    const r = typeof name === 'string' ? runs.get(name) : undefined;
    if (r === undefined) throw new AiosError('ENOENT', `no unit '${String(name)}'`, { unit: name });
    if (r.state === 'unavailable') throw new AiosError('ENOENT', `unit '${name}' cannot run here: ${r.why}`, { unit: name, why: r.why });
    return r;
  };

  /** Publishes an event; the log gets a readable line (key=value, never raw JSON) unless `quiet` (logged elsewhere). */
  function publish(topic: string, data: Record<string, unknown>, quiet = false): void {
    if (!quiet) log(`${topic} ${Object.entries(data).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}`);
    try {
      eventPublish(topic, data);
    } catch {
      // the log has it
    }
  }

  function spawnOpts(r: Run): SpawnOptions {
    const u = r.unit;
    const ns: NonNullable<SpawnOptions['namespace']> = { ...(u.opts.namespace ?? {}) };
    // No global names: a unit reaches the units it requires through handles routed into its namespace.
    for (const req of u.requires) {
      const dep = runs.get(req)!;
      if (dep.handle !== null) ns[req] = { handle: dep.handle, rights: Rights.SEND };
    }
    // Units it starts after are routed too when they run (memoryd asks identityd); absent ones are simply not bound.
    for (const aft of u.after) {
      const dep = runs.get(aft);
      if (dep !== undefined && dep.state === 'active' && dep.handle !== null && ns[aft] === undefined) ns[aft] = { handle: dep.handle, rights: Rights.SEND };
    }
    // Devices initd holds (the node granted them at boot) are passed on, USE only; a missing one is ENOENT.
    for (const d of u.devices) ns[d] = { handle: nsLookup(d), rights: Rights.USE };
    const caps = [...new Set([...(u.opts.capabilities ?? []), ...u.capabilities])];
    return { ...u.opts, name: u.opts.name ?? u.name, namespace: ns, ...(caps.length > 0 ? { capabilities: caps } : {}) };
  }

  function fail(r: Run, reason: string): void {
    r.state = 'failed';
    r.why = reason;
    publish('initd.failed', { unit: r.unit.name, why: reason });
  }

  /** Starts one level in parallel: every spawn is issued before any is awaited. */
  async function startLevel(names: string[]): Promise<string[]> {
    const issued: Array<[Run, number]> = [];
    for (const n of names) {
      const r = runs.get(n)!;
      if (r.state === 'active') continue;
      const missing = r.unit.requires.find((q) => runs.get(q)!.state !== 'active');
      if (missing !== undefined) {
        fail(r, `required unit '${missing}' is not active`);
        continue;
      }
      r.state = 'starting';
      try {
        issued.push([r, agentSpawn(r.unit.image!, spawnOpts(r))]);
      } catch (e) {
        fail(r, `spawn refused: ${(e as Error).message}`);
      }
    }
    const started: string[] = [];
    for (const [r, ticket] of issued) {
      try {
        const h = (await asyncWait(ticket)) as Handle;
        r.handle = h;
        r.agent = agentInfo(h).id;
        byAgent.set(r.agent, r);
        r.state = 'active';
        delete r.why;
        started.push(r.unit.name);
      } catch (e) {
        fail(r, `did not start: ${(e as Error).message}`);
      }
    }
    return started;
  }

  async function startPlan(levels: string[][]): Promise<string[]> {
    const started: string[] = [];
    for (const l of levels) started.push(...(await startLevel(l)));
    return started;
  }

  const detach = (r: Run): void => detachChild(r, byAgent);

  /** Stops units level by level (reverse order), each level in parallel. */
  async function stopPlan(names: string[]): Promise<string[]> {
    const stopped: string[] = [];
    for (const level of stopLevels(graph, names)) {
      const rs = level.map((n) => runs.get(n)!).filter((r) => r.agent !== null && r.handle !== null);
      for (const r of rs) r.state = 'stopping';
      const results = await stopAgents(opts.inbox, now, rs.map((r) => ({ agent: r.agent!, handle: r.handle!, shutdown: r.unit.shutdown })));
      for (const r of rs) {
        const res = results.find((x) => x.agent === r.agent);
        if (res) r.lastExit = { code: res.code, reason: res.reason };
        detach(r);
        r.state = 'inactive';
        stopped.push(r.unit.name);
      }
    }
    return stopped;
  }

  const activeOf = (names: string[]) => names.filter((n) => runs.get(n)!.state === 'active');

  const mgr: Manager = {
    graph,
    async boot() {
      const t0 = now();
      const started = await startPlan(graph.levels);
      const report: BootReport = {
        levels: graph.levels,
        started,
        failed: [...runs.values()].filter((r) => r.state === 'failed').map((r) => r.unit.name),
        unavailable: [...runs.values()].filter((r) => r.state === 'unavailable').map((r) => r.unit.name),
        ms: now() - t0,
      };
      publish('initd.ready', { ...report }, true); // the 'ready:' line says it for people
      return report;
    },
    async start(name) {
      get(name);
      const plan = requiredClosure(graph, name).filter((n) => runs.get(n)!.state !== 'active');
      for (const n of plan) freshWindow(runs.get(n)!);
      return startPlan(groupByLevel(graph, plan));
    },
    async stop(name) {
      get(name);
      return stopPlan(activeOf([...dependentsClosure(graph, name), name]));
    },
    async restart(name) {
      get(name);
      const deps = activeOf(dependentsClosure(graph, name));
      await stopPlan([...deps, ...activeOf([name])]);
      freshWindow(runs.get(name)!);
      const plan = [...requiredClosure(graph, name), ...deps].filter((n) => runs.get(n)!.state !== 'active');
      return startPlan(groupByLevel(graph, plan));
    },
    async shutdown() {
      return stopPlan(activeOf(graph.order));
    },
    async onNotice(m) {
      const r = byAgent.get(m.from);
      if (r === undefined) return false;
      const n = readNotice(m);
      const code = n?.code ?? 1;
      const abnormal = m.tag === 'trap' || code !== 0;
      r.lastExit = { code, reason: String(n?.reason ?? '').slice(0, 1000) };
      detach(r);
      const name = r.unit.name;
      const policy = r.unit.restart;
      // The supervisor's vocabulary decides: always -> permanent, on-failure -> transient, no -> temporary.
      const exitData = { child: name, agent: m.from, code, reason: r.lastExit.reason, restart: RESTART_TYPE[policy], ...(n?.trap ? { trap: { kind: n.trap.kind, message: String(n.trap.message).slice(0, 1000) } } : {}) };
      if (!shouldRestart(RESTART_TYPE[policy], abnormal)) {
        if (abnormal) report('child_terminated', { ...exitData, action: 'none' });
        r.state = abnormal ? 'failed' : 'inactive';
        if (abnormal) r.why = `exited with code ${code} (${r.lastExit.reason})`;
        publish('initd.exit', { unit: name, code, reason: r.lastExit.reason, action: 'none' });
        return true;
      }
      const { intensity, period } = r.flags;
      if (!r.window.add(now())) {
        // Unlike an OTP supervisor, initd gives up on the unit only (it stays failed), not on every unit.
        report('child_terminated', { ...exitData, action: 'give_up', intensity, period });
        fail(r, `start limit hit: more than ${intensity} restarts in ${period} s (reached_max_restart_intensity)`);
        return true;
      }
      r.restarts += 1;
      // rest_for_one: units that require this one hold a handle to the old agent, so they restart after it.
      const deps = activeOf(dependentsClosure(graph, name));
      report('child_terminated', { ...exitData, action: 'restart', restarts: r.restarts, dependents: deps });
      publish('initd.restart', { unit: name, code, reason: r.lastExit.reason, trap: n?.trap?.kind, restarts: r.restarts, dependents: deps });
      await stopPlan(deps);
      r.state = 'inactive';
      await startPlan(groupByLevel(graph, [name, ...deps]));
      return true;
    },
    ls() {
      return [...runs.values()].map((r) => ({
        name: r.unit.name,
        state: r.state,
        agent: r.agent,
        description: r.unit.description,
        restart: r.unit.restart,
        requires: r.unit.requires,
        after: r.unit.after,
        level: graph.levelOf.get(r.unit.name) ?? null,
        restarts: r.restarts,
        ...(r.why !== undefined ? { why: r.why } : {}),
        ...(r.lastExit ? { lastExit: r.lastExit } : {}),
      }));
    },
    dot: () => toDot(full, new Map([...runs.values()].map((r) => [r.unit.name, r.state]))),
    tree: () => toTree(full, new Map([...runs.values()].map((r) => [r.unit.name, r.state]))),
  };
  return mgr;
}

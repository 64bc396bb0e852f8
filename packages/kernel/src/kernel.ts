// The kernel: wires the rooms together and owns the agent table and the handle table operations.
// Rooms: sched/scheduler.ts (step loop, run queues, CPU), ipc/delivery.ts (delivery, journal),
// agent/runner.ts (instances, handlers, hooks), trap/exits.ts (traps, exits, reaping),
// syscall/dispatch.ts (the syscall path), behavior/judge.ts (throttle, quarantine), dev/devices.ts (bus).
// Mechanism only; policy lives in services. Deterministic: time, randomness, timers and loading come from ports.

import {
  AiosError, Rights, SELF_BASE_RIGHTS, SYSCALL_BY_NR, limits,
  type AgentInfo, type AgentManifest, type Driver, type LlmDriver, type Domain, type KernelEvent, type Message, type SchedHint, type TrapInfo, type TracerPort, type TraceSpan,
} from '@aios/abi';
import { Agent } from './objects/agent.ts';
import { Runner, type HookKind } from './agent/runner.ts';
import { TicketTable } from './async/tickets.ts';
import { AuditRateLimiter } from './audit/rate.ts';
import { MintQueue } from './cap/mint-queue.ts';
import { AuditLog } from './audit/log.ts';
import type { CapNode, KObject } from './cap/captree.ts';
import type { AgentInstance, ExecutionDomain } from './domain/types.ts';
import { EventBus } from './event/bus.ts';
import { FrameArena } from './mem/arena.ts';
import { FrameObject } from './objects/frame.ts';
import { allowAll, type PolicyHook, type PolicyRequest } from './policy/hook.ts';
import type { SpawnDefaultsHook } from './policy/spawn-defaults.ts';
import type { KernelPorts, LoadedImage } from './ports.ts';
import { QuotaNode } from './quota/quota.ts';
import { Scheduler, type SchedConfig } from './sched/scheduler.ts';
import { niceToWeight } from './sched/weights.ts';
import type { DeadlineAdmission } from './sched/admission.ts';
import type { RunQueue } from './sched/runqueue.ts';
import type { ModelDevice } from './llm/index.ts';
import type { ModelDeviceObject } from './objects/model-device.ts';
import type { DeviceObject } from './objects/device.ts';
import { Devices } from './dev/devices.ts';
import { TokenRegistry, type TokenIssuer } from './cap/export.ts';
import { DEFAULT_BEHAVIOR, type BehaviorThresholds } from './behavior/monitor.ts';
import { Judge } from './behavior/judge.ts';
import { Delivery } from './ipc/delivery.ts';
import { Exits } from './trap/exits.ts';
import { Dispatcher } from './syscall/dispatch.ts';
import type { AuditSlot, SyscallContext } from './syscall/context.ts';
import { KernelIds } from './objects/ids.ts';
import { SyscallCounters } from './obs/counters.ts';
import type { RemotePort, RemoteResolver, RemoteSpawner } from './ipc/remote.ts';
import { ExecutorPool } from './exec/pool.ts';
import { migrateToExecutor } from './agent/migrate.ts';

export interface KernelConfig {
  /** Physical arena size in frames. */
  arenaFrames?: number;
  /** Default domain of agents spawned without one. */
  defaultDomain?: Domain;
  /** Longest activation (ms) before the wasm domain interrupts it. */
  sliceMs?: number;
  /** Scheduler parameters; policy 'fifo' (arrival order, no weights or hints) exists for comparison. */
  sched?: SchedConfig;
  /** Decides sensitive syscalls (spawn, derive, transfer, frames, subscriptions). Default: allow. */
  policy?: PolicyHook;
  /** The model device's driver; without one the Llm* syscalls have no device to name. */
  llm?: LlmDriver;
  /** Replaces the policy set behind `policy` (validates, persists atomically); PolicyApply calls it. */
  policyAdmin?: { apply(text: string): Promise<unknown> };
  /** The node key that signs capability tokens (CapExport); without it tokens are ENOSYS. */
  tokens?: TokenIssuer;
  /** Behavioural analysis thresholds (policy); `false` turns the monitor off. */
  behavior?: Partial<BehaviorThresholds> | false;
  /** The policy's default quotas, nice and hints of a new agent (Cedar @quota/@nice/@hints); see policy/spawn-defaults.ts. */
  spawnDefaults?: SpawnDefaultsHook;
  /** Limits of the root agent (the node's own quota). */
  rootQuota?: { memBytes?: number; frames?: number; spawns?: number };
  /**
   * Executors: worker threads that run sandboxed (wasm) agents, each from its own run queue. 0 (the default)
   * runs them inline on the kernel's loop (deterministic: what fake-clock tests use). See exec/pool.ts.
   */
  executors?: number;
}

export interface SpawnRequest {
  image: LoadedImage;
  domain: Domain;
}

export class Kernel implements SyscallContext {
  readonly agents = new Map<number, Agent>();
  readonly events = new EventBus();
  readonly audit = new AuditLog();
  /** Syscall outcomes by call and result (read by exporters such as the node's /metrics). */
  readonly syscallCounts = new SyscallCounters(SYSCALL_BY_NR.length);
  /** The tracing port (null: tracing off, and no tracing work is done). */
  readonly tracer: TracerPort | null;
  /** During a traced syscall: its span, whose traceparent the messages it sends carry (null otherwise). */
  sendSpan: TraceSpan | null = null;
  /** Per-agent audit volume limit: a storm is coalesced into one summary record per window. */
  readonly auditRate: AuditRateLimiter;
  readonly tickets = new TicketTable();
  /** Token mints (ML-DSA signing) waiting their turn: one per host timer turn, agents round robin. */
  readonly mints: MintQueue;
  readonly arena: FrameArena;
  /** Id sequences of this kernel's objects (never shared with another kernel in the process). */
  readonly ids = new KernelIds();
  readonly domains = new Map<Domain, ExecutionDomain>();
  readonly defaultDomain: Domain;
  readonly sliceMs: number;
  readonly root: Agent;
  /** Exported capabilities (tokens), when the node has a key. */
  readonly tokens: TokenRegistry | null;
  /** Checkpoints of a node without a checkpoint store (ports.checkpoints): kept in memory, not durable. */
  readonly checkpointsInMemory = new Map<string, string>();
  /** The clock as a function, for lookups that read it only when a handle expires. */
  readonly clockFn: () => number;

  // The rooms.
  readonly sched: Scheduler;
  readonly ipc: Delivery;
  readonly runner: Runner;
  readonly exits: Exits;
  readonly judge: Judge;
  readonly bus: Devices;
  readonly dispatcher: Dispatcher;
  /** The executors running sandboxed agents (null: they run on the kernel thread). */
  readonly exec: ExecutorPool | null;
  private watchdog: unknown = null;

  private nextId = 1;

  constructor(readonly ports: KernelPorts, readonly config: KernelConfig = {}) {
    this.clockFn = (): number => ports.clock.now();
    this.tracer = ports.tracer ?? null;
    this.auditRate = new AuditRateLimiter((s) => {
      const what = Object.entries(s.bySyscall).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${n} ${k}`).join(', ');
      this.audit.append(this.now(), s.agent, 'AuditCoalesced', `agent:${s.agent}`, 'ok', {
        message: `agent ${s.agent}: ${s.dropped} records coalesced (${what})`, dropped: s.dropped, bySyscall: s.bySyscall, from: s.from, to: s.to,
      });
    });
    this.mints = new MintQueue((fn) => ports.timers.setTimer(0, fn));
    this.arena = new FrameArena(config.arenaFrames ?? limits.DEFAULT_ARENA_FRAMES);
    this.tokens = config.tokens ? new TokenRegistry(config.tokens) : null;
    this.defaultDomain = config.defaultDomain ?? 'native';
    this.sliceMs = config.sliceMs ?? 1_000;
    this.sched = new Scheduler(this, config.sched);
    const rq = config.rootQuota ?? {};
    const quota = new QuotaNode(1, {
      memBytes: rq.memBytes ?? 8 * 2 ** 30,
      frames: rq.frames ?? this.arena.frames,
      spawns: rq.spawns ?? limits.DEFAULT_SPAWN_QUOTA,
    }, null);
    this.root = this.createAgent('root', null, 'native', quota, 0, [], null, [], limits.MAILBOX_MAX_DEPTH);
    this.root.selfHandle = this.root.handles.insert(this.root, SELF_BASE_RIGHTS | Rights.SPAWN | Rights.FRAME | Rights.MAP | Rights.SUPERVISE | Rights.ADMIN | Rights.REALTIME | Rights.DETACH | Rights.SERVICE, null);
    this.root.selfNode = this.root.handles.get(this.root.selfHandle)!.node;
    this.root.state = 'waiting';
    this.ipc = new Delivery(this);
    this.runner = new Runner(this);
    this.bus = new Devices({ root: this.root, events: this.events, audit: this.audit, ids: this.ids, clock: ports.clock, insertHandle: (a, o, r, p) => this.insertHandle(a, o, r, p) }, config.llm);
    this.exits = new Exits(this);
    this.judge = new Judge(this, config.behavior === false ? null : { ...DEFAULT_BEHAVIOR, ...(config.behavior ?? {}) }, this.sched);
    this.dispatcher = new Dispatcher(this, {
      clock: ports.clock, audit: this.audit, auditRate: this.auditRate, events: this.events, root: this.root, judge: this.judge,
      time: this.sched, trap: (a, e) => this.trap(a, e), counts: this.syscallCounts, trace: this,
    });
    this.exec = (config.executors ?? 0) > 0 ? this.startExecutors(config.executors!) : null;
  }

  private startExecutors(n: number): ExecutorPool {
    const sched = this.sched;
    const pool = new ExecutorPool(n, {
      monotonic: () => this.ports.clock.monotonic(),
      defer: (fn) => this.ports.defer(fn),
      setTimer: (ms, fn) => this.ports.timers.setTimer(ms, fn),
      placed: (a, i) => sched.placed(a, i),
      charged: (a, _i, ms) => sched.chargeExecutor(a, ms),
      executorIdle: (i) => sched.executorIdle(i),
      handoff: (a, i, ms) => sched.handoff(i, a, ms),
      trap: (a, e) => this.trap(a, e),
      log: (line) => this.ports.log?.(0, 'kernel', line),
      busy: () => this.armWatchdog(),
      migrate: (a, i) => this.migrateToExecutor(a, i),
    });
    sched.attachExecutors(pool);
    return pool;
  }

  /**
   * Moves a sandboxed agent to executor `index` between its activations, through its serialize and restore
   * hooks (agent/migrate.ts); resolves when it runs there. ENOSYS without executors or hooks, EINVAL for a bad
   * index or an agent not on an executor, EBUSY inside main, with a blocking call pending or another lifecycle operation.
   */
  migrateToExecutor(agent: Agent | number, index: number): Promise<void> {
    const pool = this.exec;
    const a = typeof agent === 'number' ? this.agents.get(agent) : agent;
    if (pool === null) return Promise.reject(new AiosError('ENOSYS', 'this node runs no executors', {}));
    if (a === undefined) return Promise.reject(new AiosError('ESRCH', `no agent ${String(agent)}`, { agent }));
    return migrateToExecutor({
      events: this.events,
      now: () => this.now(),
      monotonic: () => this.ports.clock.monotonic(),
      runHook: (x, kind, payload, inst) => this.runHook(x, kind, payload, inst),
      instantiate: (x, image) => this.instantiate(x, image),
      instantiateOn: (x, i, make) => pool.instantiateOn(x, i, make),
      placed: (x, i) => this.sched.placed(x, i),
      hostOf: (inst) => pool.hostOf(inst),
      pump: (x) => this.pump(x),
    }, a, index, pool.count);
  }

  /** While executors have work in flight, a timer checks once a second that they make progress. */
  private armWatchdog(): void {
    if (this.watchdog !== null || this.exec === null || this.sched.stopped) return;
    this.watchdog = this.ports.timers.setTimer(1_000, () => {
      this.watchdog = null;
      this.exec!.watchdog(this.sliceMs);
      if (this.exec!.inflight > 0) this.armWatchdog();
    });
  }

  // ---- views of the rooms (stable names for hosts and tests) ------------------------

  get runq(): RunQueue<Agent> {
    return this.sched.runq;
  }
  get dlq(): RunQueue<Agent> {
    return this.sched.dlq;
  }
  get dlAdmission(): DeadlineAdmission {
    return this.sched.dlAdmission;
  }
  get schedPolicy(): 'cfs' | 'fifo' {
    return this.sched.policy;
  }
  /** Clock time of the current scheduler step (read once per step; audit records use it). */
  get stepTime(): number {
    return this.sched.stepTime;
  }
  get stopped(): boolean {
    return this.sched.stopped;
  }
  /** Messages addressed to the root agent (the host), for the node to read. */
  get rootInbox(): Message[] {
    return this.ipc.rootInbox;
  }
  /** Listeners of messages sent to the root (the host's request/reply). */
  get rootListeners(): Set<(msg: Message) => void> {
    return this.ipc.rootListeners;
  }
  /** Journal seq of each message a durable agent holds (present until acknowledged). */
  get msgSeq(): WeakMap<Message, number> {
    return this.ipc.msgSeq;
  }
  /** The model device, when the node has an llm driver. */
  get model(): ModelDevice | null {
    return this.bus.model;
  }
  get modelObject(): ModelDeviceObject | null {
    return this.bus.modelObject;
  }
  /** The root's handle to the model device (granted to agents as 'model' in their namespace). */
  get modelHandle(): number {
    return this.bus.modelHandle;
  }
  /** Devices on the bus, by name, with the root's handle to each (granted into namespaces at spawn). */
  get devices(): Map<string, { object: DeviceObject; handle: number }> {
    return this.bus.byName;
  }
  get policyAdmin(): { apply(text: string): Promise<unknown> } | undefined {
    return this.config.policyAdmin;
  }
  get spawnDefaults(): SpawnDefaultsHook | undefined {
    return this.config.spawnDefaults;
  }

  now(): number {
    return this.ports.clock.now();
  }

  /** Registers an execution domain; with executors, the 'wasm' domain is the executors' (sandboxes run on their workers). */
  registerDomain(domain: ExecutionDomain): void {
    this.domains.set(domain.name, domain.name === 'wasm' && this.exec !== null ? this.exec.domain : domain);
  }

  plugDevice(name: string, driver: Driver): DeviceObject {
    return this.bus.plug(name, driver);
  }

  unplugDevice(name: string): void {
    this.bus.unplug(name);
  }

  llmTokens(id: number): number {
    return this.bus.llmTokens(id);
  }

  // ---- agents and handles ------------------------------------------------------------

  createAgent(name: string, parent: Agent | null, domain: Domain, quota: QuotaNode, nice: number, hints: SchedHint[], config: unknown, labels: string[], mailboxDepth?: number): Agent {
    const id = this.nextId++;
    const a = new Agent(id, name, parent, parent ? parent.depth + 1 : 0, domain, quota, nice, niceToWeight(nice), hints, config, labels, this.now(), mailboxDepth);
    a.onHandleDropped = (node) => this.releaseHandleObject(node);
    a.memId = () => this.ids.mem();
    a.vruntime = this.sched.runq.minVruntime;
    parent?.children.add(a);
    this.agents.set(id, a);
    return a;
  }

  agentById(id: number): Agent | undefined {
    return this.agents.get(id);
  }

  /** Inserts a handle, taking a reference on objects that count them (frames). */
  insertHandle(a: Agent, object: KObject, rights: number, parent: CapNode | null, expires?: number): number {
    const h = a.handles.insert(object, rights, parent, expires);
    if (object instanceof FrameObject) object.ref();
    return h;
  }

  /** Undoes what a handle held: frames are unreferenced, subscriptions cancelled. */
  releaseHandleObject(node: CapNode): void {
    const obj = node.object as KObject & { release?: () => void };
    if (obj instanceof FrameObject) obj.unref();
    else if (obj.type === 'subscription' || obj.type === 'stream') obj.release?.();
  }

  closeHandle(a: Agent, handle: number): CapNode {
    const node = a.handles.remove(handle);
    if (node === undefined) throw new AiosError('EBADF', `bad handle ${handle}`, { handle });
    node.detach();
    if (!node.revoked) this.releaseHandleObject(node);
    return node;
  }

  /** Narrows the privileges on an agent's self handle (merge). */
  narrowSelf(a: Agent, rights: number): void {
    const old = a.selfNode;
    a.handles.remove(a.selfHandle);
    old.detach();
    a.selfHandle = this.insertHandle(a, a, old.rights & rights, null);
    a.selfNode = a.handles.get(a.selfHandle)!.node;
  }

  /** Looks a handle up with rights (the first step of every handle syscall) and notes the object in the audit slot. */
  lookup(a: Agent, handle: unknown, type: KObject['type'] | null, rights: number, au: AuditSlot | null): CapNode {
    const node = a.handles.lookup(handle, type, rights, this.clockFn);
    if (au !== null) au.label = node.label;
    return node;
  }

  /** Asks the policy hook; a deny is EACCES with the deciding policy ids (audited by the dispatcher). */
  authorize(a: Agent, action: string, resource: PolicyRequest['resource']): void {
    if (a === this.root) return;
    const d = (this.config.policy ?? allowAll)({ principal: { id: a.id, name: a.name, labels: a.labels, domain: a.domain, trust: a.behavior.trust }, action, resource });
    if (!d.allow) throw new AiosError('EACCES', `policy denies ${action} on ${resource.type} ${resource.id}`, { action, resource: `${resource.type}:${resource.id}`, policyIds: d.policyIds });
  }

  // ---- running (agent/runner.ts) --------------------------------------------------------

  startAgent(a: Agent, image: LoadedImage, init?: { state: unknown }): void {
    this.runner.startAgent(a, image, init);
  }
  instantiate(a: Agent, image: LoadedImage): AgentInstance {
    return this.runner.instantiate(a, image);
  }
  swapInstance(a: Agent, next: AgentInstance, image: LoadedImage, windowMs: number): void {
    this.runner.swapInstance(a, next, image, windowMs);
  }
  runHook(a: Agent, kind: HookKind, payload: unknown, inst?: AgentInstance | null): Promise<unknown> {
    return this.runner.runHook(a, kind, payload, inst);
  }
  afterIdle(a: Agent): void {
    this.runner.afterIdle(a);
  }
  runHandler(a: Agent, p: Promise<unknown>, isMain: boolean): void {
    this.runner.runHandler(a, p, isMain);
  }

  // ---- ends (trap/exits.ts) -------------------------------------------------------------

  trap(a: Agent, err: unknown): void {
    this.exits.trap(a, err);
  }
  exitAgent(a: Agent, code: number, reason: string, trap?: TrapInfo): void {
    this.exits.exitAgent(a, code, reason, trap);
  }
  discardEmbryo(a: Agent): void {
    this.exits.discardEmbryo(a);
  }

  // ---- agents on other nodes (ipc/remote.ts) -------------------------------

  /** Set by the node when it is in a cluster: resolves 'NAME@NODE' for AgentOpen. */
  remoteResolver: RemoteResolver | null = null;
  private readonly remotes = new Map<string, Agent>();

  /** The local record of a remote agent, made on first use; ESRCH when no live agent has that address. */
  openRemote(address: string): Agent {
    const known = this.remotes.get(address);
    if (known !== undefined && known.alive) return known;
    const port = this.remoteResolver?.(address) ?? null;
    if (port === null) throw new AiosError('ESRCH', `no live agent ${address} in the cluster`, { agent: address });
    const a = this.createAgent(address, this.root, 'native', this.root.quota, 0, [], null, []);
    a.remote = port;
    a.state = 'waiting';
    this.remotes.set(address, a);
    return a;
  }

  /**
   * A record of a remote agent reached through a received capability (not shared by address): its port
   * carries the capability's id on every send. End it with exitAgent when the capability is revoked.
   */
  attachRemote(address: string, port: RemotePort): Agent {
    const a = this.createAgent(address, this.root, 'native', this.root.quota, 0, [], null, []);
    a.remote = port;
    a.state = 'waiting';
    return a;
  }

  /** Set by the node when it is in a cluster: AgentSpawn with opts.node spawns there. */
  remoteSpawner: RemoteSpawner | null = null;

  /** Ends the local records of remote agents matching `which` (their node went down): later sends are ESRCH. */
  dropRemotes(which: (address: string) => boolean, reason: string): void {
    for (const [addr, a] of this.remotes) {
      if (!which(addr)) continue;
      this.remotes.delete(addr);
      if (a.alive) this.exitAgent(a, 1, reason);
    }
  }

  // ---- messages (ipc/delivery.ts) -------------------------------------------------------

  deliver(to: Agent, msg: Message, notice = false): void {
    this.ipc.deliver(to, msg, notice);
  }
  deliverData(to: Agent, from: number, bytes: Uint8Array): void {
    this.ipc.deliverData(to, from, bytes);
  }
  ack(a: Agent, msg: Message | null): void {
    this.ipc.ack(a, msg);
  }
  ackReceipts(a: Agent): void {
    this.ipc.ackReceipts(a);
  }
  makeDurable(a: Agent, key: string): void {
    this.ipc.makeDurable(a, key);
  }
  redeliver(a: Agent, items: Array<{ seq: number; message: string }>): void {
    this.ipc.redeliver(a, items);
  }
  pump(a: Agent): void {
    this.ipc.pump(a);
  }

  // ---- scheduling (sched/scheduler.ts) --------------------------------------------------

  wake(a: Agent, activation: () => void): void {
    this.sched.wake(a, activation);
  }
  queueStep(): void {
    this.sched.queueStep();
  }
  block<T>(a: Agent, bounded = true): { promise: Promise<T>; settle: (ok: boolean, value: unknown) => void } {
    return this.sched.block<T>(a, bounded);
  }
  chargedWork<T>(a: Agent, fn: () => T): T {
    return this.sched.chargedWork(a, fn);
  }
  chargeCpu(a: Agent, dt: number): void {
    this.sched.chargeCpu(a, dt);
  }
  /** Runs until no activation is queued (tests); resolves when the scheduler is idle. */
  idle(): Promise<void> {
    return this.sched.idle();
  }
  /** Suspends an agent: it leaves the run queue and none of its activations run until resume. */
  suspend(a: Agent): void {
    this.sched.suspend(a);
  }
  resume(a: Agent): void {
    this.sched.resume(a);
    this.ipc.pump(a);
  }

  // ---- syscalls and behaviour (syscall/dispatch.ts, behavior/judge.ts) -------------------

  /** The syscall entry (gates call the dispatcher directly). */
  syscall(a: Agent, nr: number, args: unknown[]): unknown {
    return this.dispatcher.syscall(a, nr, args);
  }
  quarantine(a: Agent): void {
    this.judge.quarantine(a);
  }
  release(a: Agent): void {
    this.judge.release(a);
  }

  // ---- logs and info --------------------------------------------------------------

  pushLog(a: Agent, line: string): void {
    const text = line.length > limits.LOG_LINE_MAX ? `${line.slice(0, limits.LOG_LINE_MAX)}…[cut]` : line;
    a.pushLog(text);
    this.ports.log?.(a.id, a.name, text);
    if (this.events.subscriberCount > 0) this.events.publish(`agent.${a.id}.log`, this.now(), { id: a.id, name: a.name, line: text });
  }

  info(a: Agent): AgentInfo {
    let memBytes = 0;
    for (const m of a.aspace.mappings) if (m.kind !== 'map') memBytes += m.size;
    return {
      id: a.id,
      name: a.name,
      state: a.state,
      domain: a.domain,
      parent: a.parent?.id ?? null,
      nice: a.nice,
      weight: a.weight,
      hints: [...a.hints],
      cpuMs: Math.round(a.cpuMs * 1000) / 1000,
      vruntime: Math.round(a.vruntime * 1000) / 1000,
      activations: a.activations,
      mailbox: a.mailbox.length,
      memBytes,
      handles: a.handles.size,
      exitCode: a.exitCode,
      exitReason: a.exitReason,
      startedAt: a.startedAt,
      maxWakeLatencyMs: Math.round(a.maxWakeLatencyMs * 1000) / 1000,
      trust: Math.round(a.behavior.trust * 100) / 100,
      anomaly: Math.round(a.behavior.anomaly * 10) / 10,
      quarantined: a.quarantined,
      ...(this.model ? { llmTokens: a.alive ? this.llmTokens(a.id) : a.llmTokensAtExit } : {}),
      ...(a.manifest?.version ? { version: a.manifest.version } : {}),
      ...(a.executor >= 0 ? { executor: a.executor } : {}),
      ...(a.migrations > 0 ? { migrations: a.migrations } : {}),
    };
  }

  ps(): AgentInfo[] {
    const out: AgentInfo[] = [];
    for (const a of this.agents.values()) out.push(this.info(a));
    return out;
  }

  manifests(): Array<{ agent: number; manifest: AgentManifest }> {
    const out: Array<{ agent: number; manifest: AgentManifest }> = [];
    for (const a of this.agents.values()) if (a.alive && a.manifest) out.push({ agent: a.id, manifest: a.manifest });
    return out;
  }

  /** Stops scheduling and ends every agent (children before parents). */
  shutdown(reason = 'node shutdown'): void {
    const live = [...this.agents.values()].filter((a) => a.alive && a !== this.root).sort((x, y) => y.depth - x.depth);
    for (const a of live) this.exitAgent(a, 0, reason);
    this.sched.stopped = true;
    if (this.watchdog !== null) this.ports.timers.clearTimer(this.watchdog);
    this.watchdog = null;
    void this.exec?.close();
  }

  subscribeHost(pattern: string, fn: (e: KernelEvent) => void): () => void {
    return this.events.subscribe({ pattern, dropped: 0, offer: (e) => (fn(e), true) });
  }
}

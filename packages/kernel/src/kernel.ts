// The kernel: the agent table, the scheduler loop, message delivery, exit and
// trap handling, and the syscall dispatcher. Mechanism only; policy lives in
// services. Deterministic: time, randomness, timers and loading come from ports.

import {
  AiosError, DEFAULT_RIGHTS, Rights, SELF_BASE_RIGHTS, SYSCALL_BY_NAME, SYSCALL_BY_NR, isAiosError, limits,
  type AgentInfo, type AgentManifest, type Driver, type LlmDriver, type Domain, type ExitNotice, type KernelEvent, type Message, type SchedHint, type TrapInfo,
} from '@aios/abi';
import { Agent } from './agent/agent.ts';
import { AgentExit } from './agent/exit.ts';
import { loadMessage, storeMessage, type StoredMessage } from './agent/lifecycle.ts';
import { TicketTable } from './async/tickets.ts';
import { AuditRateLimiter } from './audit/rate.ts';
import { MintQueue } from './cap/mint-queue.ts';
import { agentNameProblem } from './agent/name.ts';
import { AuditLog } from './audit/log.ts';
import type { CapNode, KObject } from './cap/captree.ts';
import { type AgentInstance, type ExecutionDomain, type Gate, TrapError } from './domain/types.ts';
import { EventBus } from './event/bus.ts';
import { FrameArena, FrameObject } from './mem/arena.ts';
import { KernelPanic } from './panic.ts';
import { allowAll, type PolicyHook, type PolicyRequest } from './policy/hook.ts';
import type { KernelPorts, LoadedImage } from './ports.ts';
import { QuotaNode } from './quota/quota.ts';
import { DEFAULT_SCHED_PARAMS, RunQueue, type SchedParams } from './sched/runqueue.ts';
import { niceToWeight } from './sched/weights.ts';
import { sleeperCreditMs } from './sched/policy.ts';
import { DeadlineAdmission } from './sched/admission.ts';
import type { CpuQuota } from './quota/rate.ts';
import { createModelDevice, type ModelDevice } from './llm/index.ts';
import { ModelDeviceObject } from './dev/device.ts';
import { DeviceObject } from './dev/bus.ts';
import { TokenRegistry, type TokenIssuer } from './cap/export.ts';
import { DEFAULT_BEHAVIOR, type BehaviorThresholds } from './behavior/monitor.ts';
import { HANDLERS } from './syscall/table.ts';
import { unmapEffects } from './syscall/sys_mem.ts';
import { NO_HANDLES, copyPayload } from './ipc/mailbox.ts';
import type { RemoteResolver } from './ipc/remote.ts';


const ENCODER = new TextEncoder();
const SPAWN_NR = SYSCALL_BY_NAME.get('AgentSpawn')!.nr;
/** Harmless calls a quarantined agent may still make (it logs, reads the clock, learns who it is). */
const QUARANTINE_ALLOWED = new Set(['Log', 'ClockNow', 'SelfHandle', 'SelfInfo', 'Exit']);
/** Bad syscalls (of these codes) tolerated per window before the agent traps with 'syscall-storm'. */
const STORM_CODES = new Set(['EBADF', 'EINVAL', 'EFAULT', 'EPERM', 'EACCES', 'ENOSYS']);
const STORM_LIMIT = 10_000;
const STORM_WINDOW_MS = 1_000;
/** Blank sandboxes a domain keeps ready (prepared when the scheduler is idle). */
const PREWARM_INSTANCES = 4;
/** Longest a batch of scheduler steps may hold one host loop turn, in ms. */
const TURN_BUDGET_MS = 2;

export interface KernelConfig {
  /** Physical arena size in frames. */
  arenaFrames?: number;
  /** Default domain of agents spawned without one. */
  defaultDomain?: Domain;
  /** Longest activation (ms) before the wasm domain interrupts it. */
  sliceMs?: number;
  /** Scheduler parameters; policy 'fifo' (arrival order, no weights or hints) exists for comparison. */
  sched?: Partial<SchedParams> & { policy?: 'cfs' | 'fifo' };
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
  /** Limits of the root agent (the node's own quota). */
  rootQuota?: { memBytes?: number; frames?: number; spawns?: number };
}

export interface SpawnRequest {
  image: LoadedImage;
  domain: Domain;
}

export class Kernel {
  readonly agents = new Map<number, Agent>();
  readonly events = new EventBus();
  readonly audit = new AuditLog();
  /** Per-agent audit volume limit: a storm is coalesced into one summary record per window. */
  readonly auditRate = new AuditRateLimiter((s) => {
    const what = Object.entries(s.bySyscall).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${n} ${k}`).join(', ');
    this.audit.append(this.now(), s.agent, 'AuditCoalesced', `agent:${s.agent}`, 'ok', {
      message: `agent ${s.agent}: ${s.dropped} records coalesced (${what})`, dropped: s.dropped, bySyscall: s.bySyscall, from: s.from, to: s.to,
    });
  });
  readonly tickets = new TicketTable();
  /** Token mints (ML-DSA signing) waiting their turn: one per host timer turn, agents round robin. */
  readonly mints = new MintQueue((fn) => this.ports.timers.setTimer(0, fn));
  readonly arena: FrameArena;
  readonly runq: RunQueue<Agent>;
  /** Deadline agents within their budget, earliest deadline first; served before the CFS queue. */
  readonly dlq: RunQueue<Agent>;
  /** Admission control of 'deadline' reservations (their summed CPU share stays within the limit). */
  readonly dlAdmission = new DeadlineAdmission(limits.DEADLINE_UTIL_MAX_PPM);
  readonly schedPolicy: 'cfs' | 'fifo';
  private fifoSeq = 0;
  readonly domains = new Map<Domain, ExecutionDomain>();
  readonly defaultDomain: Domain;
  readonly sliceMs: number;
  readonly root: Agent;
  /** Messages addressed to the root agent (the host), for the node to read. */
  readonly rootInbox: Message[] = [];
  private nextId = 1;
  private readonly zombies: Agent[] = [];
  /** Step callbacks queued on the host loop and not yet run. */
  private stepsQueued = 0;
  /** When the current loop turn's first step ran (-1: none yet). */
  private turnStart = -1;
  private current: { agent: Agent; t0: number } | null = null;
  /** Interned audit names of each syscall and of 'ok', so the syscall path does not hash strings. */
  private readonly auditNameIds: number[] = SYSCALL_BY_NR.map((r) => (r ? this.audit.intern(r.name) : 0));
  private readonly auditOkId = this.audit.intern('ok');
  /** Label of the object the current syscall acted on, for its audit record. */
  objectLabel: string | null = null;
  stopped = false;

  constructor(readonly ports: KernelPorts, readonly config: KernelConfig = {}) {
    this.arena = new FrameArena(config.arenaFrames ?? limits.DEFAULT_ARENA_FRAMES);
    this.tokens = config.tokens ? new TokenRegistry(config.tokens) : null;
    this.schedPolicy = config.sched?.policy ?? 'cfs';
    this.behaviorT = config.behavior === false ? null : { ...DEFAULT_BEHAVIOR, ...(config.behavior ?? {}) };
    this.runq = new RunQueue<Agent>({ ...DEFAULT_SCHED_PARAMS, ...config.sched }, this.schedPolicy === 'fifo' ? 'key' : 'vruntime');
    this.dlq = new RunQueue<Agent>({ ...DEFAULT_SCHED_PARAMS, ...config.sched }, 'key');
    this.defaultDomain = config.defaultDomain ?? 'native';
    this.sliceMs = config.sliceMs ?? 1_000;
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
    if (config.llm) {
      const model = createModelDevice({
        driver: config.llm,
        clock: { now: () => this.ports.clock.now() },
        onEvent: (e) => this.events.publish(e.topic, e.time, e.data),
      });
      this.model = model;
      this.modelObject = new ModelDeviceObject(model);
      this.modelHandle = this.insertHandle(this.root, this.modelObject, DEFAULT_RIGHTS.device, null);
    }
  }

  /** The model device, when the node has an llm driver. */
  readonly model: ModelDevice | null = null;
  readonly modelObject: ModelDeviceObject | null = null;
  /** The root's handle to the model device (granted to agents as 'model' in their namespace). */
  modelHandle = 0;

  /** Devices on the bus, by name, with the root's handle to each (granted into namespaces at spawn). */
  readonly devices = new Map<string, { object: DeviceObject; handle: number }>();

  /** Plugs a driver into the bus under a name; the root gets a handle with USE. */
  plugDevice(name: string, driver: Driver): DeviceObject {
    if (this.devices.has(name)) throw new AiosError('EEXIST', `a device named ${name} is already plugged`, { name });
    const object = new DeviceObject(driver);
    const handle = this.insertHandle(this.root, object, DEFAULT_RIGHTS.device, null);
    this.devices.set(name, { object, handle });
    this.events.publish('bus.plug', this.now(), { name, driver: driver.info.name, kind: driver.info.kind, version: driver.info.version });
    return object;
  }

  /** Unplugs a device: every handle derived from the root's is revoked. */
  unplugDevice(name: string): void {
    const d = this.devices.get(name);
    if (!d) throw new AiosError('ENOENT', `no device ${name}`, { name });
    const node = this.root.handles.get(d.handle)!.node;
    node.revokeDescendants();
    this.root.handles.remove(d.handle);
    this.devices.delete(name);
    this.events.publish('bus.unplug', this.now(), { name });
  }

  /** Exported capabilities (tokens), when the node has a key. */
  readonly tokens: TokenRegistry | null;

  /** Listeners of messages sent to the root (the host's request/reply). */
  readonly rootListeners = new Set<(msg: Message) => void>();

  llmTokens(id: number): number {
    if (!this.model) return 0;
    const u = this.model.usage(id);
    return u.promptTokens + u.completionTokens;
  }

  registerDomain(domain: ExecutionDomain): void {
    this.domains.set(domain.name, domain);
  }

  /** Clock time of the current scheduler step (read once per step; audit records use it). */
  stepTime = 0;

  now(): number {
    return this.ports.clock.now();
  }

  /** The clock as a function, for lookups that read it only when a handle expires. */
  readonly clockFn = (): number => this.ports.clock.now();

  // ---- agents ------------------------------------------------------------

  createAgent(name: string, parent: Agent | null, domain: Domain, quota: QuotaNode, nice: number, hints: SchedHint[], config: unknown, labels: string[], mailboxDepth?: number): Agent {
    const id = this.nextId++;
    const a = new Agent(id, name, parent, parent ? parent.depth + 1 : 0, domain, quota, nice, niceToWeight(nice), hints, config, labels, this.now(), mailboxDepth);
    a.onHandleDropped = (node) => this.releaseHandleObject(node);
    a.vruntime = this.runq.minVruntime;
    parent?.children.add(a);
    this.agents.set(id, a);
    return a;
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

  /**
   * Loads the instance into a fresh agent and queues its first activations. With `init.state`
   * the restore hook runs first (clone, restore, split); main then runs only for agents that do
   * not serve messages (a job resumes from its state; a server goes straight to its mailbox).
   */
  startAgent(a: Agent, image: LoadedImage, init?: { state: unknown }): void {
    const inst = this.instantiate(a, image);
    a.instance = inst;
    a.image = image;
    a.hasOnMessage = inst.info.hasOnMessage;
    // An image's own name is taken only when it is a valid name (not all digits, no control characters).
    const imageName = inst.info.name?.slice(0, limits.AGENT_NAME_MAX);
    if (a.nameFromImage && imageName && agentNameProblem(imageName) === null) a.name = imageName;
    if (inst.info.version) a.manifest = { name: inst.info.name ?? a.name, version: inst.info.version, description: inst.info.description };
    a.state = 'ready';
    this.events.publish(`agent.${a.id}.start`, this.now(), { id: a.id, name: a.name, domain: a.domain });
    // A step soon, even for an agent with nothing to run yet: an idle step lets domains prepare the next sandbox.
    this.queueStep();
    const runMain = inst.info.hasMain && (init === undefined || !inst.info.hasOnMessage);
    const begin = (): void => {
      if (runMain) {
        this.wake(a, () => this.runHandler(a, inst.dispatch('main'), true));
      } else {
        a.mainDone = true;
        if (a.state === 'ready') a.state = 'waiting';
        this.pump(a);
      }
    };
    if (init !== undefined && init.state !== undefined && (inst.info.hooks ?? []).includes('restore')) {
      this.runHook(a, 'restore', { state: init.state }).then(begin, (e: unknown) => this.trap(a, e));
    } else {
      begin();
    }
  }

  /** Evaluates an image in the agent's domain with a gate bound to the agent (EINVAL when it does not load). */
  instantiate(a: Agent, image: LoadedImage): AgentInstance {
    const domain = this.domains.get(a.domain);
    if (domain === undefined) throw new AiosError('ENOSYS', `execution domain ${a.domain} is not available on this node`, { domain: a.domain });
    const gate: Gate = (nr, args) => this.syscall(a, nr, args);
    try {
      return domain.instantiate(image.code, gate, {
        memoryBytes: Math.min(a.quota.limits.memBytes, 32 * 2 ** 20),
        stackBytes: 512 * 1024,
        sliceMs: this.sliceMs,
      });
    } catch (e) {
      throw new AiosError('EINVAL', `image ${image.origin} did not load: ${(e as Error).message}`, { origin: image.origin });
    }
  }

  /** Puts an upgraded instance in place; the old one is kept for a rollback until the window ends. */
  swapInstance(a: Agent, next: AgentInstance, image: LoadedImage, windowMs: number): void {
    const oldInstance = a.instance!;
    const oldImage = a.image!;
    a.instance = next;
    a.image = image;
    a.hasOnMessage = next.info.hasOnMessage;
    if (a.manifest && next.info.version) a.manifest = { ...a.manifest, version: next.info.version };
    const finish = (): void => {
      if (a.upgrade === null) return;
      a.upgrade = null;
      try {
        oldInstance.dispose();
      } catch {
        /* already gone */
      }
    };
    if (windowMs <= 0) {
      try {
        oldInstance.dispose();
      } catch {
        /* already gone */
      }
      return;
    }
    a.upgrade = { oldInstance, oldImage, until: this.now() + windowMs, timer: this.ports.timers.setTimer(windowMs, finish) };
    this.pump(a);
  }

  /** A trap inside an upgrade's window: back to the old instance (which still holds its state). */
  private rollback(a: Agent, info: TrapInfo): void {
    const up = a.upgrade!;
    a.upgrade = null;
    this.ports.timers.clearTimer(up.timer);
    const broken = a.instance;
    a.instance = up.oldInstance;
    a.image = up.oldImage;
    a.hasOnMessage = up.oldInstance.info.hasOnMessage;
    a.busy = false;
    try {
      broken?.dispose();
    } catch {
      /* already gone */
    }
    this.audit.append(this.now(), a.id, 'UpgradeRollback', a.label, 'ok', { trap: info.kind, message: info.message });
    this.events.publish(`agent.${a.id}.rollback`, this.now(), { id: a.id, trap: info.kind, message: info.message });
    this.pushLog(a, `upgrade rolled back after a ${info.kind} trap: ${info.message}`);
    this.afterIdle(a);
  }

  /** Suspends an agent: it leaves the run queue and none of its activations run until resume. */
  suspend(a: Agent): void {
    this.dequeue(a);
    a.state = 'suspended';
  }

  resume(a: Agent): void {
    a.state = a.pending.length > 0 ? 'ready' : 'waiting';
    if (a.pending.length > 0) {
      a.wakeAt = this.ports.clock.monotonic();
      this.enqueue(a);
      this.queueStep();
    }
    this.pump(a);
  }

  /** Narrows the privileges on an agent's self handle (merge). */
  narrowSelf(a: Agent, rights: number): void {
    const old = a.selfNode;
    a.handles.remove(a.selfHandle);
    old.detach();
    a.selfHandle = this.insertHandle(a, a, old.rights & rights, null);
    a.selfNode = a.handles.get(a.selfHandle)!.node;
  }

  /**
   * Runs a lifecycle hook as an activation of the agent, when it is not inside a message
   * handler (a snapshot between activations). Resolves with the hook's JSON result.
   */
  runHook(a: Agent, kind: 'serialize' | 'restore' | 'merge' | 'partition' | 'migrate', payload: unknown, inst: AgentInstance | null = a.instance): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const go = (): void => {
        this.wake(a, () => {
          if (inst === null || !a.alive) return reject(new AiosError('ESRCH', `agent ${a.id} has exited`, { agent: a.id }));
          a.busy = true;
          inst.dispatch(kind, payload).then(
            (r) => {
              a.busy = false;
              resolve(r);
              this.afterIdle(a);
            },
            (e: unknown) => {
              a.busy = false;
              reject(e);
              this.afterIdle(a);
            },
          );
        });
      };
      if (a.busy) a.idleWaiters.push(go);
      else go();
    });
  }

  /** The agent left a handler: run one queued lifecycle step, or deliver the next message. */
  private afterIdle(a: Agent): void {
    const next = a.idleWaiters.shift();
    if (next) next();
    else this.pump(a);
  }

  /** Tracks a handler's promise: main's end exits the agent unless it serves messages; a throw is a trap. */
  private runHandler(a: Agent, p: Promise<unknown>, isMain: boolean): void {
    p.then(
      () => {
        if (!a.alive) return;
        if (isMain) {
          a.mainDone = true;
          if (!a.hasOnMessage) return this.exitAgent(a, 0, 'main returned');
        } else {
          a.busy = false;
          this.ack(a, a.inFlight);
          a.inFlight = null;
        }
        // What the handler received itself (replies, and messages its runtime set aside and handled before
        // the activation ended) is handled now: see sys_ipc.ts ackReceived.
        this.ackReceipts(a);
        this.afterIdle(a);
      },
      (err: unknown) => {
        if (!a.alive || err instanceof AgentExit) return;
        this.trap(a, err);
      },
    );
  }

  /** Turns an agent fault into a trap record, an exit and a notice to its supervisors. */
  trap(a: Agent, err: unknown): void {
    const info: TrapInfo = err instanceof TrapError
      ? { kind: err.kind, message: err.message, stack: err.stack }
      : { kind: 'exception', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
    this.audit.append(this.now(), a.id, 'Trap', a.label, info.kind, { message: info.message });
    this.events.publish(`agent.${a.id}.trap`, this.now(), { id: a.id, kind: info.kind, message: info.message });
    this.pushLog(a, `trap (${info.kind}): ${info.message}`);
    if (a.upgrade !== null && this.now() < a.upgrade.until) return this.rollback(a, info);
    this.exitAgent(a, 1, `trap: ${info.kind}: ${info.message}`, info);
  }

  /**
   * Ends an agent: frees its memory, handles and mailbox, ends its descendants (unless they were
   * spawned detached, which needs DETACH: those go to the root), and notifies supervisors and parent.
   */
  exitAgent(a: Agent, code: number, reason: string, trap?: TrapInfo): void {
    if (!a.alive) return;
    if (a === this.root) throw new KernelPanic('the root agent cannot exit');
    a.state = 'zombie';
    a.exitCode = code;
    a.exitReason = reason;
    if (a.durableKey !== null && !trap) for (const seq of a.unacked.splice(0)) this.ports.journal?.ackMessage(a.durableKey, seq);
    this.releaseAgent(a);
    // Linked children die with their parent (a spawn bomb ends with its bomber); detached ones are adopted by the root.
    for (const c of [...a.children]) {
      if (!c.alive) continue;
      if (c.detached) {
        a.children.delete(c);
        c.parent = this.root;
        this.root.children.add(c);
      } else {
        this.exitAgent(c, 137, `killed: parent agent ${a.id} exited`);
      }
    }
    for (const c of a.children) c.parent = this.root;
    a.children.clear();
    const notice: ExitNotice = { agent: a.id, name: a.name, code, reason };
    if (trap) notice.trap = trap;
    const data = ENCODER.encode(JSON.stringify(notice));
    const tag = trap ? 'trap' : 'exit';
    const notify = new Set<Agent>(a.supervisors);
    if (a.parent) notify.add(a.parent);
    for (const s of notify) if (s.alive) this.deliver(s, { from: a.id, data, handles: [], tag }, true);
    this.auditRate.forget(a.id);
    this.audit.append(this.now(), a.id, 'AgentExit', a.label, 'ok', { code, reason });
    this.events.publish(`agent.${a.id}.exit`, this.now(), { id: a.id, name: a.name, code, reason });
    a.shrinkForZombie();
    this.zombies.push(a);
    while (this.zombies.length > limits.ZOMBIE_RECORDS_KEPT) this.reap(this.zombies.shift()!);
  }

  /**
   * Undoes a spawn that did not complete (refused after the embryo was built, image that did not
   * load, canceled): everything the embryo held is released and it leaves no trace: no entry in
   * ps, no zombie record, no notice, no spawn slot or reservation still charged.
   */
  discardEmbryo(a: Agent): void {
    if (!a.alive) return;
    a.state = 'dead';
    this.releaseAgent(a);
    for (const c of a.children) c.parent = this.root;
    a.children.clear();
    a.parent?.children.delete(a);
    this.agents.delete(a.id);
  }

  /** Releases what a live agent holds: queues, activations, instance, memory, handles, quotas, reservations. */
  private releaseAgent(a: Agent): void {
    this.dequeue(a);
    a.pending.length = 0;
    for (const w of a.ipcWaiters.splice(0)) if (w.timer !== undefined) this.ports.timers.clearTimer(w.timer);
    a.mailbox.drain();
    try {
      a.instance?.dispose();
      if (a.upgrade) {
        this.ports.timers.clearTimer(a.upgrade.timer);
        a.upgrade.oldInstance.dispose();
        a.upgrade = null;
      }
    } catch {
      /* a broken instance must not stop the cleanup */
    }
    a.instance = null;
    a.idleWaiters.length = 0;
    for (const m of [...a.aspace.mappings]) {
      a.aspace.unmap(m.start, [m.kind]);
      if (m.kind === 'alloc' || m.kind === 'pool') a.quota.release('memBytes', m.size);
      if (m.kind === 'map') unmapEffects(m.backing);
    }
    for (const [h] of a.handles.entriesList()) {
      const node = a.handles.remove(h)!;
      node.detach();
      if (!node.revoked) this.releaseHandleObject(node);
    }
    this.tickets.dropOwner(a.id);
    if (this.model) {
      a.llmTokensAtExit = this.llmTokens(a.id);
      this.model.removeAgent(a.id);
    }
    a.quota.parent?.release('spawns', 1);
    if (a.deadline !== null) {
      this.dlAdmission.swap(a.deadline, null);
      a.deadline = null;
    }
    for (let q = a.cpuQuota; q !== null; q = q.parent) q.parked.delete(a);
  }

  private reap(a: Agent): void {
    a.state = 'dead';
    a.parent?.children.delete(a);
    this.agents.delete(a.id);
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

  /** Ends the local records of remote agents matching `which` (their node went down): later sends are ESRCH. */
  dropRemotes(which: (address: string) => boolean, reason: string): void {
    for (const [addr, a] of this.remotes) {
      if (!which(addr)) continue;
      this.remotes.delete(addr);
      if (a.alive) this.exitAgent(a, 1, reason);
    }
  }

  // ---- messages ------------------------------------------------------------

  /** Hands a message to an agent: a waiting IPCWait first, else the mailbox (and the message pump). */
  deliver(to: Agent, msg: Message, notice = false): void {
    if (to.remote !== null) {
      if (!notice) to.remote.send(msg);
      return;
    }
    if (to === this.root) {
      for (const l of this.rootListeners) l(msg);
      if (this.rootInbox.length < limits.MAILBOX_MAX_DEPTH) this.rootInbox.push(msg);
      return;
    }
    if (to.durableKey !== null && this.ports.journal && !this.msgSeq.has(msg)) this.journalMessage(to, msg);
    const w = to.ipcWaiters.shift();
    if (w !== undefined) {
      if (w.timer !== undefined) this.ports.timers.clearTimer(w.timer);
      w.settle(true, msg);
      return;
    }
    if (notice) to.pushNotice(msg);
    else to.mailbox.push(msg);
    this.pump(to);
  }

  /**
   * deliver() of a plain data message (tag 'data', no handles) from an agent: the bytes are
   * copied now; a message waiting in a mailbox stays numbers until the receiver takes it.
   */
  deliverData(to: Agent, from: number, bytes: Uint8Array): void {
    if (to === this.root || to.remote !== null || to.durableKey !== null || to.ipcWaiters.length > 0) {
      this.deliver(to, { from, data: copyPayload(bytes), handles: NO_HANDLES, tag: 'data' });
      return;
    }
    to.mailbox.pushData(from, bytes);
    this.pump(to);
  }

  /** Checkpoints of a node without a checkpoint store (ports.checkpoints): kept in memory, not durable. */
  readonly checkpointsInMemory = new Map<string, string>();

  /** Journal seq of each message a durable agent holds (present until acknowledged). */
  readonly msgSeq = new WeakMap<Message, number>();

  /** Writes a message for a durable agent to the journal; the send fails (EIO) if it cannot. */
  private journalMessage(to: Agent, msg: Message): void {
    const rec = JSON.stringify(storeMessage(msg));
    let seq: number;
    try {
      seq = this.ports.journal!.appendMessage(to.durableKey!, rec);
    } catch (e) {
      throw new AiosError('EIO', `journal write failed: ${(e as Error).message}`, { agent: to.id });
    }
    this.msgSeq.set(msg, seq);
  }

  /** Acknowledges a durable agent's message: handled, so it will not come back after a crash. */
  ack(a: Agent, msg: Message | null): void {
    if (msg === null || a.durableKey === null) return;
    const seq = this.msgSeq.get(msg);
    if (seq === undefined) return;
    this.msgSeq.delete(msg);
    this.ports.journal?.ackMessage(a.durableKey, seq);
  }

  /** Acknowledges every message a durable agent took with IPCRecv/IPCWait and has not acknowledged yet. */
  ackReceipts(a: Agent): void {
    if (a.durableKey === null || a.unacked.length === 0) return;
    for (const seq of a.unacked.splice(0)) this.ports.journal?.ackMessage(a.durableKey, seq);
  }

  /** Marks a running agent durable under a journal key (the host saved its record first). */
  makeDurable(a: Agent, key: string): void {
    a.durableKey = key;
    for (const m of a.mailbox.drain()) {
      if (this.ports.journal && !this.msgSeq.has(m)) this.journalMessage(a, m);
      a.mailbox.push(m);
    }
  }

  /** Puts journaled messages back in a recovered agent's mailbox, in order, without journaling them again. */
  redeliver(a: Agent, items: Array<{ seq: number; message: string }>): void {
    for (const { seq, message } of items) {
      const msg = loadMessage(JSON.parse(message) as StoredMessage);
      this.msgSeq.set(msg, seq);
      a.mailbox.push(msg);
    }
    this.pump(a);
  }

  /** Queues one onMessage activation when the agent is idle and has mail. Messages are handled one at a time. */
  pump(a: Agent): void {
    if (!a.hasOnMessage || !a.mainDone || a.busy || a.hold > 0 || a.idleWaiters.length > 0 || a.pumpQueued || a.mailbox.length === 0 || !a.alive || a.state === 'suspended') return;
    a.pumpQueued = true;
    this.wake(a, () => {
      a.pumpQueued = false;
      const inst = a.instance;
      const msg = a.mailbox.shift();
      if (inst === null || msg === undefined) return;
      a.busy = true;
      a.inFlight = msg;
      this.runHandler(a, inst.dispatch('message', msg), false);
    });
  }

  // ---- scheduler -------------------------------------------------------------

  /** Queues an activation for an agent and makes it runnable. */
  wake(a: Agent, activation: () => void): void {
    if (!a.alive) return;
    a.pending.push(activation);
    if (a.state !== 'suspended' && a.state !== 'running') {
      if (!this.isQueued(a)) a.wakeAt = this.ports.clock.monotonic();
      this.enqueue(a);
      if (a.state === 'waiting') a.state = 'ready';
    }
    this.queueStep();
  }

  private isQueued(a: Agent): boolean {
    return this.runq.has(a) || this.dlq.has(a);
  }

  /**
   * CPU quota (cgroup cpu.max style), charged to the agent's quota and every ancestor's: past
   * limitMs within a period, no agent below that quota is scheduled until the period ends; a
   * timer then puts the parked ones back.
   */
  private chargeCpuQuota(a: Agent, dt: number): void {
    const now = this.ports.clock.monotonic();
    for (const q of a.cpuQuota!.charge(now, dt)) {
      this.events.publish(`agent.${a.id}.cpu-throttled`, this.now(), { id: a.id, usedMs: q.used, limitMs: q.limitMs });
      this.ports.timers.setTimer(Math.max(0, q.throttledUntil - now), () => this.unthrottle(q));
    }
  }

  /** A throttled CPU quota's period ended: its parked agents with work are queued again. */
  private unthrottle(q: CpuQuota): void {
    q.throttledUntil = 0;
    const parked = [...q.parked] as Agent[];
    q.parked.clear();
    for (const p of parked) {
      if (!p.alive || p.state === 'suspended' || p.pending.length === 0) continue;
      this.enqueue(p);
    }
    this.queueStep();
  }

  /** Whether a CPU quota of the agent's chain is throttled now; if so the agent is parked on it. */
  private parkIfThrottled(a: Agent): boolean {
    if (a.cpuQuota === null) return false;
    const q = a.cpuQuota.throttledAt(this.ports.clock.monotonic());
    if (q === null) return false;
    q.parked.add(a);
    return true;
  }

  /** Places a runnable agent: EDF queue while a deadline agent has budget, else CFS (or FIFO) by its hints. */
  private enqueue(a: Agent): void {
    if (this.isQueued(a)) return;
    if (this.parkIfThrottled(a)) return;
    if (this.schedPolicy === 'fifo') {
      a.key = ++this.fifoSeq;
      this.runq.enqueue(a);
      return;
    }
    const now = this.ports.clock.monotonic();
    if (a.deadline !== null && a.deadline.refresh(now)) {
      a.key = now + a.deadline.periodMs;
      this.dlq.enqueue(a);
      return;
    }
    this.runq.enqueue(a, sleeperCreditMs(a.hints, this.runq.params.targetLatencyMs));
  }

  private dequeue(a: Agent): void {
    this.runq.remove(a);
    this.dlq.remove(a);
  }

  /**
   * A blocking syscall's promise: settled by an activation of the caller, so its continuation is scheduled.
   * EAGAIN when the agent already has BLOCKED_CALLS_PER_AGENT_MAX waiting (`bounded` false: settled at once).
   */
  block<T>(a: Agent, bounded = true): { promise: Promise<T>; settle: (ok: boolean, value: unknown) => void } {
    if (bounded && a.blocked >= limits.BLOCKED_CALLS_PER_AGENT_MAX) {
      throw new AiosError('EAGAIN', `at most ${limits.BLOCKED_CALLS_PER_AGENT_MAX} blocking calls may wait at once`, { limit: limits.BLOCKED_CALLS_PER_AGENT_MAX });
    }
    a.blocked++;
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    let done = false;
    const settle = (ok: boolean, value: unknown): void => {
      if (done) return;
      done = true;
      a.blocked--;
      this.wake(a, () => (ok ? resolve(value as T) : reject(value)));
    };
    return { promise, settle };
  }

  /**
   * Queues scheduler steps on the host loop. Several are queued at once when
   * several agents are runnable: Node runs a batch of immediates in one loop
   * turn and drains microtasks between them, so each activation still ends
   * with its continuations, and the loop's poll phase is paid once per batch.
   */
  private queueStep(): void {
    if (this.stepsQueued > 0 || this.stopped) return;
    const n = Math.max(1, Math.min(this.runq.length + this.dlq.length, 32));
    this.stepsQueued = n;
    for (let i = 0; i < n; i++) this.ports.defer(this.stepFn);
  }
  private readonly stepFn = (): void => this.step();

  /** Charges the previous activation (measured through the microtasks it caused) to its agent. */
  private chargeCurrent(): void {
    const cur = this.current;
    if (cur === null) return;
    this.current = null;
    this.chargeCpu(cur.agent, Math.max(0, this.ports.clock.monotonic() - cur.t0));
  }

  /**
   * Runs kernel work done for `a` outside its activations (token signing, from a timer) and charges
   * its measured time to `a`. The last activation is charged first, so that time is not counted
   * twice or to someone else.
   */
  chargedWork<T>(a: Agent, fn: () => T): T {
    this.chargeCurrent();
    const t0 = this.ports.clock.monotonic();
    try {
      return fn();
    } finally {
      if (a.alive) this.chargeCpu(a, Math.max(0, this.ports.clock.monotonic() - t0));
    }
  }

  /**
   * Charges CPU time to an agent: its cpuMs, virtual runtime, deadline budget and CPU quota. Activations
   * are charged through this; so is work the kernel does for an agent outside them (token signing).
   */
  chargeCpu(a: Agent, dt: number): void {
    a.cpuMs += dt;
    const queued = this.isQueued(a);
    if (queued) this.dequeue(a);
    RunQueue.charge(a, dt);
    if (a.deadline !== null) a.deadline.used += dt;
    if (a.cpuQuota !== null) this.chargeCpuQuota(a, dt);
    if (queued || (a.pending.length > 0 && a.alive && a.state !== 'suspended')) this.enqueue(a);
  }

  /** One scheduler step: run the activation of the agent with the smallest virtual runtime. */
  private step(): void {
    this.stepsQueued--;
    this.chargeCurrent();
    if (this.stopped) return;
    // One loop turn runs activations for at most TURN_BUDGET_MS, then leaves the rest of
    // the batch as no-ops so timers and I/O get their turn (a timer wakes interactive agents).
    const now = this.ports.clock.monotonic();
    if (this.turnStart < 0) this.turnStart = now;
    else if (now - this.turnStart > TURN_BUDGET_MS) {
      if (this.stepsQueued === 0) {
        this.turnStart = -1;
        this.queueStep();
      }
      return;
    }
    const a = this.dlq.pop() ?? this.runq.pop();
    if (a === undefined) {
      this.turnStart = -1;
      // Idle: let domains prepare instances so the next spawn is quick, a piece at a time for at most one turn
      // budget (plus one piece), then again on the next idle step: an agent that wakes meanwhile waits for that
      // much, not for the whole pool.
      // Only the batch's last step does it, so leftover steps of one batch never add up several budgets.
      if (this.stepsQueued > 0) return;
      const start = this.ports.clock.monotonic();
      let more: boolean;
      do {
        more = false;
        for (const d of this.domains.values()) {
          if (d.prewarmStep !== undefined) more = d.prewarmStep(PREWARM_INSTANCES) || more;
          else d.prewarm?.(PREWARM_INSTANCES); // a domain without pieces does it all at once
        }
      } while (more && this.ports.clock.monotonic() - start < TURN_BUDGET_MS);
      if (more) this.queueStep();
      return;
    }
    // Queued before a shared (ancestor's) CPU quota ran out: it waits for the period's end.
    if (this.parkIfThrottled(a)) {
      this.queueStep();
      return;
    }
    const waited = this.ports.clock.monotonic() - a.wakeAt;
    if (waited > a.maxWakeLatencyMs) a.maxWakeLatencyMs = waited;
    const activation = a.pending.shift();
    if (activation === undefined || !a.alive) {
      this.queueStep();
      return;
    }
    a.state = 'running';
    a.activations++;
    this.stepTime = this.ports.clock.now();
    if (this.stepsQueued === 0) this.turnStart = -1;
    this.current = { agent: a, t0: this.ports.clock.monotonic() };
    try {
      activation();
    } catch (e) {
      if (!(e instanceof AgentExit)) {
        if (e instanceof KernelPanic) throw e;
        if (a.alive) this.trap(a, e);
      }
    }
    // The state is settled now; the CPU time (with the microtasks that follow) is charged at the next step.
    if (a.state === 'running') a.state = a.pending.length > 0 ? 'ready' : 'waiting';
    this.queueStep();
  }

  /** Runs until no activation is queued (tests); resolves when the scheduler is idle. */
  async idle(): Promise<void> {
    for (let i = 0; i < 1_000_000; i++) {
      await new Promise<void>((r) => this.ports.defer(r));
      if (this.stepsQueued === 0 && this.runq.length === 0 && this.dlq.length === 0) return;
    }
  }

  // ---- syscalls ----------------------------------------------------------------

  /** The dispatcher: one table, unknown numbers refused in one place, every mutation and denial audited. */
  syscall(a: Agent, nr: number, args: unknown[]): unknown {
    if (!a.alive) throw new AgentExit(a.id);
    const handler = HANDLERS[nr];
    const row = SYSCALL_BY_NR[nr];
    if (handler === undefined || row === undefined) {
      this.audit.append(this.now(), a.id, `nr:${String(nr)}`, null, 'ENOSYS');
      throw new AiosError('ENOSYS', `no syscall number ${String(nr)}`, { nr });
    }
    if (!Array.isArray(args)) throw new AiosError('EINVAL', `${row.name}: arguments must be an array`);
    this.objectLabel = null;
    // A quarantined agent's calls are refused, but blocking ones are let through: their
    // continuations are activations, which do not run until the agent is released.
    if (a.quarantined && row.kind !== 'blocking' && !QUARANTINE_ALLOWED.has(row.name)) {
      throw new AiosError('EACCES', `agent ${a.id} is quarantined (release it with \`aios release ${a.id}\`)`, { agent: a.id, quarantined: true, policyIds: ['behavior'] });
    }
    try {
      const r = handler(this, a, args);
      if (this.behaviorT !== null) this.observe(a, false, nr === SPAWN_NR);
      if (row.mutates) {
        const t = this.current === null ? this.now() : this.stepTime;
        if (a === this.root || this.auditRate.admit(a.id, t, row.name, 'ok')) this.audit.appendIds(t, a.id, this.auditNameIds[nr]!, this.objectLabel, this.auditOkId);
      }
      return r;
    } catch (e) {
      if (isAiosError(e)) {
        if (row.mutates || e.code === 'EPERM' || e.code === 'EACCES') {
          const t = this.now();
          if (a === this.root || this.auditRate.admit(a.id, t, row.name, e.code)) this.audit.append(t, a.id, row.name, this.objectLabel, e.code, e.detail);
        }
        if (e.code === 'EPERM' || e.code === 'EACCES') {
          this.events.publish(`security.denied`, this.now(), { agent: a.id, syscall: row.name, code: e.code });
        }
        if (STORM_CODES.has(e.code)) this.countBadSyscall(a);
        if (this.behaviorT !== null) this.observe(a, e.code === 'EPERM' || e.code === 'EACCES', false);
      }
      throw e;
    }
  }

  private readonly behaviorT: BehaviorThresholds | null = null;

  /** Feeds the agent's behaviour profile; acts on a verdict (throttle or quarantine). */
  private observe(a: Agent, denied: boolean, spawn: boolean): void {
    if (a === this.root) return;
    const v = a.behavior.observe(this.current === null ? this.now() : this.stepTime, denied, spawn, this.behaviorT!);
    if (v !== null && (a.selfNode.rights & Rights.SERVICE) !== 0) return this.serviceNotice(a, v);
    if (v === 'throttle') {
      a.behavior.throttled = true;
      a.nice = Math.min(19, a.nice + 5);
      a.weight = niceToWeight(a.nice);
      this.audit.append(this.now(), a.id, 'Throttle', a.label, 'ok', { anomaly: a.behavior.anomaly, trust: a.behavior.trust, nice: a.nice });
      this.events.publish('security.throttle', this.now(), { agent: a.id, anomaly: a.behavior.anomaly, trust: a.behavior.trust });
    } else if (v === 'quarantine') {
      this.quarantine(a);
    }
  }

  /**
   * A service crossed a threshold: its rate reflects the load its clients put on it, so it is neither throttled nor
   * quarantined (that would silence it for everyone). The operator gets an event and an audit record instead; the
   * clients are judged on their own syscalls (and services refuse floods with EAGAIN).
   */
  private serviceNotice(a: Agent, verdict: 'throttle' | 'quarantine'): void {
    const detail = { wouldHave: verdict, anomaly: a.behavior.anomaly, trust: a.behavior.trust, service: true };
    this.audit.append(this.now(), a.id, 'BehaviorNotice', a.label, 'waived', detail);
    this.events.publish('security.service-notice', this.now(), { agent: a.id, name: a.name, ...detail });
    this.pushLog(a, `behaviour monitor would have ${verdict === 'quarantine' ? 'quarantined' : 'throttled'} this service (anomaly ${a.behavior.anomaly.toFixed(1)}): not acted on`);
  }

  /** Suspends an agent whose behaviour crossed the quarantine threshold, until an operator releases it. */
  quarantine(a: Agent): void {
    a.behavior.quarantined = true;
    if (a.state !== 'suspended') this.suspend(a);
    this.audit.append(this.now(), a.id, 'Quarantine', a.label, 'ok', { anomaly: a.behavior.anomaly, trust: a.behavior.trust });
    this.events.publish('security.quarantine', this.now(), { agent: a.id, name: a.name, anomaly: a.behavior.anomaly, trust: a.behavior.trust });
    this.pushLog(a, `quarantined: anomaly score ${a.behavior.anomaly.toFixed(1)}, trust ${a.behavior.trust.toFixed(2)}`);
  }

  /** An operator's release of a quarantined (or throttled) agent: its profile restarts and it runs again. */
  release(a: Agent): void {
    if (!a.behavior.quarantined && !a.behavior.throttled) throw new AiosError('EINVAL', `agent ${a.id} is neither quarantined nor throttled`, { agent: a.id });
    const wasQuarantined = a.behavior.quarantined;
    if (a.behavior.throttled) {
      a.nice = a.baseNice;
      a.weight = niceToWeight(a.nice);
    }
    a.behavior.reset();
    if (wasQuarantined && a.state === 'suspended') this.resume(a);
    this.audit.append(this.now(), a.id, 'Release', a.label, 'ok');
    this.events.publish('security.release', this.now(), { agent: a.id });
  }

  /**
   * A storm of bad syscalls (bad handles, arguments, faults, denials: more than
   * STORM_LIMIT in STORM_WINDOW_MS) is a fault of the agent: it becomes a trap.
   */
  private countBadSyscall(a: Agent): void {
    const now = this.ports.clock.monotonic();
    if (now - a.badWindowStart > STORM_WINDOW_MS) {
      a.badWindowStart = now;
      a.badSyscalls = 0;
    }
    if (++a.badSyscalls > STORM_LIMIT && a !== this.root) {
      const err = new TrapError('syscall-storm', `more than ${STORM_LIMIT} bad syscalls within ${STORM_WINDOW_MS} ms`);
      queueMicrotask(() => {
        if (a.alive) this.trap(a, err);
      });
      a.badSyscalls = -Infinity;
    }
  }

  /** Asks the policy hook; a deny is EACCES with the deciding policy ids (audited by the dispatcher). */
  authorize(a: Agent, action: string, resource: PolicyRequest['resource']): void {
    if (a === this.root) return;
    const d = (this.config.policy ?? allowAll)({ principal: { id: a.id, name: a.name, labels: a.labels, domain: a.domain, trust: a.behavior.trust }, action, resource });
    if (!d.allow) throw new AiosError('EACCES', `policy denies ${action} on ${resource.type} ${resource.id}`, { action, resource: `${resource.type}:${resource.id}`, policyIds: d.policyIds });
  }

  /** Looks a handle up with rights (the first step of every handle syscall) and notes the object for audit. */
  lookup(a: Agent, handle: unknown, type: KObject['type'] | null, rights: number): CapNode {
    const node = a.handles.lookup(handle, type, rights, this.clockFn);
    this.objectLabel = node.label;
    return node;
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
    this.stopped = true;
  }

  subscribeHost(pattern: string, fn: (e: KernelEvent) => void): () => void {
    return this.events.subscribe({ pattern, dropped: 0, offer: (e) => (fn(e), true) });
  }
}


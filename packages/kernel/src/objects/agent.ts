// The agent: a kernel object and a process. Holds its handle table, mailbox,
// address space, pool, quota, scheduling entity and the instance running its code.

import type { AgentManifest, AgentState, Domain, Message, SchedHint } from '@aios/abi';
import { limits } from '@aios/abi';
import type { CapNode, HandleOwner, KObject } from '../cap/captree.ts';
import { HandleTable } from '../cap/handles.ts';
import type { AgentInstance } from '../domain/types.ts';
import type { LoadedImage } from '../ports.ts';
import { Mailbox } from '../ipc/mailbox.ts';
import { AddressSpace } from '../mem/vaspace.ts';
import { Pool } from '../mem/pool.ts';
import type { QuotaNode } from '../quota/quota.ts';
import type { CpuQuota, IpcRate } from '../quota/rate.ts';
import type { SchedEntity } from '../sched/runqueue.ts';
import type { DeadlineReservation } from '../sched/policy.ts';
import { BehaviorProfile } from '../behavior/monitor.ts';

export interface IpcWaiter {
  settle(ok: boolean, value: unknown): void;
  timer: unknown;
}

export class Agent implements KObject, HandleOwner, SchedEntity {
  readonly type = 'agent' as const;
  readonly label: string;
  state: AgentState = 'embryo';
  exitCode: number | null = null;
  exitReason: string | null = null;

  readonly handles: HandleTable;
  selfHandle = 0;
  selfNode!: CapNode;
  readonly namespace = new Map<string, number>();
  readonly mailbox: Mailbox;
  readonly ipcWaiters: IpcWaiter[] = [];
  /** Set on the local record of an agent on another node (ipc/remote.ts): sends go to the port, it never runs. */
  remote: import('../ipc/remote.ts').RemotePort | null = null;
  readonly aspace = new AddressSpace();
  private poolObj: Pool | null = null;
  /** Label numbers of this agent's memory objects: the kernel's sequence (set by Kernel.createAgent). */
  memId: () => number = () => 0;
  /** The small-object pool, made on first use (most agents never use it). */
  get pool(): Pool {
    this.poolObj ??= new Pool(this.aspace, () => this.quota.charge('memBytes', limits.PAGE_SIZE), this.memId);
    return this.poolObj;
  }
  readonly supervisors = new Set<Agent>();
  readonly children = new Set<Agent>();
  manifest: AgentManifest | null = null;
  readonly logs: string[] = [];

  instance: AgentInstance | null = null;
  /** The executor (worker thread) its sandbox runs on; -1: the kernel thread (native agents, or executors off). */
  executor = -1;
  /** Affinity hint: the executor it prefers (spawn opts.affinity, taken modulo the executor count); null: any. */
  affinity: number | null = null;
  /** Times its sandbox moved between executors; whether a move is in progress; when the last one ended (monotonic ms). */
  migrations = 0;
  migrating = false;
  migratedAt = -Infinity;
  /** The image it runs (kept for clone, checkpoint, specialize and upgrade rollback). */
  image: LoadedImage | null = null;
  /** Multi-step lifecycle operations in progress: message delivery waits while > 0. */
  hold = 0;
  /** Lifecycle steps waiting for the current handler to finish. */
  readonly idleWaiters: Array<() => void> = [];
  /** An upgrade still inside its rollback window. */
  upgrade: { oldInstance: AgentInstance; oldImage: LoadedImage; until: number; timer: unknown } | null = null;
  private behaviorObj: BehaviorProfile | null = null;
  /** The behavioural profile, made on the first observed syscall. */
  get behavior(): BehaviorProfile {
    this.behaviorObj ??= new BehaviorProfile();
    return this.behaviorObj;
  }
  /** Quarantined by behavioural analysis (false when no profile exists yet). */
  get quarantined(): boolean {
    return this.behaviorObj !== null && this.behaviorObj.quarantined;
  }
  /** Journal key of a durable agent (its record and unread messages survive a crash). */
  durableKey: string | null = null;
  /** Ambient trace context (W3C traceparent) when tracing is on: that of the last traced message received. */
  trace: string | undefined = undefined;
  /** The message an onMessage activation is handling (acknowledged in the journal when it settles). */
  inFlight: Message | null = null;
  /** Journal seqs of messages taken with IPCRecv/IPCWait, acknowledged at the next receive or a clean exit. */
  readonly unacked: number[] = [];
  /** Rate quotas (from spawn quotas); null when unlimited. */
  ipcRate: IpcRate | null = null;
  /** CPU quota (its own, or its parent's shared one); null when unlimited. */
  cpuQuota: CpuQuota | null = null;
  /** Spawned detached (needs DETACH): outlives its parent (reparented to root) instead of being killed with it. */
  detached = false;
  /** Bad syscalls in the current window (storm detection). */
  badSyscalls = 0;
  badWindowStart = 0;
  hasOnMessage = false;
  mainDone = false;
  pumpQueued = false;
  busy = false;

  // Scheduling entity.
  weight: number;
  vruntime = 0;
  heapIndex = -1;
  /** The run queue holding it (CFS or EDF), null when none: one membership, never two. */
  queue: object | null = null;
  readonly pending: Array<() => void> = [];
  cpuMs = 0;
  activations = 0;
  /** Ordering key in FIFO or EDF queues. */
  key = 0;
  /** The 'deadline' hint's reservation, when the agent has one. */
  deadline: DeadlineReservation | null = null;
  /** When it last became runnable (monotonic ms), for wake-to-run latency. */
  wakeAt = 0;
  maxWakeLatencyMs = 0;
  /** Model tokens it had used when it exited (the device forgets exited agents). */
  llmTokensAtExit = 0;
  /** Spawned without a name: it takes the name its definition declares. */
  nameFromImage = false;
  /** Nice value given at spawn: the agent may raise it but not go below it without ADMIN. */
  baseNice = 0;

  /** Called when one of its handles is dropped by revocation (frames and subscriptions release there). */
  onHandleDropped: (node: CapNode) => void = () => {};

  constructor(
    readonly id: number,
    public name: string,
    public parent: Agent | null,
    readonly depth: number,
    readonly domain: Domain,
    readonly quota: QuotaNode,
    public nice: number,
    weight: number,
    public hints: SchedHint[],
    readonly config: unknown,
    readonly labels: string[],
    readonly startedAt: number,
    mailboxDepth: number = limits.MAILBOX_DEFAULT_DEPTH,
  ) {
    this.label = `agent:${id}`;
    this.weight = weight;
    this.handles = new HandleTable(this);
    this.mailbox = new Mailbox(mailboxDepth);
  }

  get alive(): boolean {
    return this.state !== 'zombie' && this.state !== 'dead';
  }

  /** Revocation reached this handle: it stays as a tombstone (EPERM on use) and its object is released. */
  dropHandle(handle: number): void {
    const entry = this.handles.get(handle);
    if (entry) this.onHandleDropped(entry.node);
  }

  /** Blocking syscalls started and not yet settled (bounded by BLOCKED_CALLS_PER_AGENT_MAX). */
  blocked = 0;
  /** Live event subscriptions made by this agent (bounded by EVENT_SUBSCRIPTIONS_PER_AGENT_MAX). */
  subscriptions = 0;
  /** Characters held in `logs` (bounded by LOG_BYTES_PER_AGENT, and ZOMBIE_LOG_BYTES once exited). */
  logBytes = 0;

  /** Keeps the newest lines within LOG_LINES_PER_AGENT and LOG_BYTES_PER_AGENT (ZOMBIE_LOG_BYTES once exited). */
  pushLog(line: string): void {
    this.logs.push(line);
    this.logBytes += line.length;
    this.trimLog(this.alive ? limits.LOG_BYTES_PER_AGENT : limits.ZOMBIE_LOG_BYTES, limits.LOG_LINES_PER_AGENT);
  }

  private trimLog(maxBytes: number, maxLines: number): void {
    let drop = 0;
    let bytes = this.logBytes;
    while (drop < this.logs.length - 1 && (this.logs.length - drop > maxLines || bytes > maxBytes)) bytes -= this.logs[drop++]!.length;
    if (drop > 0) {
      this.logs.splice(0, drop);
      this.logBytes = bytes;
    }
  }

  /**
   * At exit: what a zombie keeps is bounded. The log shrinks to its newest ZOMBIE_LOG_BYTES, the
   * manifest to its name and version (for `ps`), and the image is let go (a zombie never runs again).
   */
  shrinkForZombie(): void {
    this.trimLog(limits.ZOMBIE_LOG_BYTES, limits.LOG_LINES_PER_AGENT);
    if (this.manifest !== null) this.manifest = { name: this.manifest.name, ...(this.manifest.version !== undefined ? { version: this.manifest.version } : {}) };
    this.image = null;
  }

  /** Queue a kernel notice (exit, trap, event) even past the mailbox depth: supervision never loses them. */
  pushNotice(msg: Message): void {
    this.mailbox.push(msg);
  }
}

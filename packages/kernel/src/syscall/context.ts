// What a syscall handler may touch: the narrow SyscallContext, and the AuditSlot it fills in.
// Trusts nothing here; it is types only. No file under syscall/ imports kernel.ts (scripts/kernel-graph.test.ts).
//
// THE HANDLER SIGNATURE (syscall/table.ts holds one row per call):
//
//   type Handler = (k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot) => unknown;
//
//   - `k` is the kernel seen through this interface, never the Kernel class: a handler checks its
//     arguments, looks handles up with rights, asks the policy, and calls the subsystem.
//   - `a` is the calling agent (alive: the dispatcher checked).
//   - `args` is the argument array (an array: the dispatcher checked); validate each with syscall/args.ts.
//   - `au` is this call's audit slot: set `au.label` to the label of the object the call acted on
//     (`k.lookup(a, h, type, rights, au)` sets it for you). The dispatcher writes the audit record
//     after the handler returns or throws, with that label (null: no object).
//   - Return the result (or a Promise for blocking calls, made with `k.block`); throw AiosError for
//     an expected failure (the dispatcher audits it), KernelPanic for a broken invariant.
//
// A handler written against the old `(k: Kernel, a: Agent, args)` form ports by: importing
// `SyscallContext`/`AuditSlot` from './context.ts', taking `au` as the 4th parameter, passing `au`
// to `k.lookup(...)`, and replacing `k.objectLabel = x` with `au.label = x`. If it needs something
// not listed below, add the narrowest member to SyscallContext (the Kernel class implements it).

import type { AgentInfo, AgentManifest, Domain, Message, SchedHint, TraceSpan, TracerPort } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { TicketTable } from '../async/tickets.ts';
import type { AuditLog } from '../audit/log.ts';
import type { AuditRateLimiter } from '../audit/rate.ts';
import type { CapNode, KObject } from '../cap/captree.ts';
import type { TokenRegistry } from '../cap/export.ts';
import type { MintQueue } from '../cap/mint-queue.ts';
import type { AgentInstance, ExecutionDomain } from '../domain/types.ts';
import type { EventBus } from '../event/bus.ts';
import type { ModelDevice } from '../llm/index.ts';
import type { FrameArena } from '../mem/arena.ts';
import type { PolicyRequest } from '../policy/hook.ts';
import type { SpawnDefaultsHook } from '../policy/spawn-defaults.ts';
import type { KernelPorts, LoadedImage } from '../ports.ts';
import type { QuotaNode } from '../quota/quota.ts';
import type { DeadlineAdmission } from '../sched/admission.ts';
import type { KernelIds } from '../objects/ids.ts';
import type { RemoteSpawner } from '../ipc/remote.ts';
import type { DeviceObject } from '../objects/device.ts';

/** The audit label of one syscall: which object it acted on. One slot per dispatch, reset to null first. */
export interface AuditSlot {
  label: string | null;
}

export interface SyscallContext {
  // ---- ports, time, ids
  readonly ports: KernelPorts;
  /** The clock (ports.clock.now()). */
  now(): number;
  /** The clock as a function, for handle lookups that read it only when a handle expires. */
  readonly clockFn: () => number;
  /** Id sequences of kernel objects, one set per kernel instance. */
  readonly ids: KernelIds;

  // ---- handles, capabilities, policy
  /** Looks a handle up with the type (null: any) and rights it needs; notes its label in `au` (when given). EBADF/EPERM otherwise. */
  lookup(a: Agent, handle: unknown, type: KObject['type'] | null, rights: number, au: AuditSlot | null): CapNode;
  /** Asks the policy hook; EACCES with the deciding policy ids when it denies. The root is always allowed. */
  authorize(a: Agent, action: string, resource: PolicyRequest['resource']): void;
  /** Inserts a handle (taking a reference on objects that count them); returns its number. */
  insertHandle(a: Agent, object: KObject, rights: number, parent: CapNode | null, expires?: number): number;
  /** Removes a handle and releases what it held; EBADF for a bad one. */
  closeHandle(a: Agent, handle: number): CapNode;
  /** Undoes what a (revoked or removed) handle held: frames unreferenced, subscriptions cancelled. */
  releaseHandleObject(node: CapNode): void;
  /** Replaces the agent's self handle with one of narrower rights (merge). */
  narrowSelf(a: Agent, rights: number): void;
  /** Capability tokens (null: the node has no key, token calls are ENOSYS). */
  readonly tokens: TokenRegistry | null;
  /** Token mints waiting their turn. */
  readonly mints: MintQueue;
  /** Replaces the node's policy set (PolicyApply); undefined when the node has no policy engine. */
  readonly policyAdmin: { apply(text: string): Promise<unknown> } | undefined;
  /** The policy's spawn defaults (Cedar @quota/@nice/@hints), applied before a spawn's own options. */
  readonly spawnDefaults: SpawnDefaultsHook | undefined;

  // ---- agents
  readonly root: Agent;
  /** The local record of an agent on another node ('NAME@NODE'); ESRCH when the cluster has none. */
  openRemote(address: string): Agent;
  /** Spawns on another node (AgentSpawn opts.node); null when the node is not in a cluster. */
  readonly remoteSpawner: RemoteSpawner | null;
  /** A live or zombie agent by id. */
  agentById(id: number): Agent | undefined;
  readonly domains: ReadonlyMap<Domain, ExecutionDomain>;
  readonly defaultDomain: Domain;
  createAgent(name: string, parent: Agent | null, domain: Domain, quota: QuotaNode, nice: number, hints: SchedHint[], config: unknown, labels: string[], mailboxDepth?: number): Agent;
  startAgent(a: Agent, image: LoadedImage, init?: { state: unknown }): void;
  instantiate(a: Agent, image: LoadedImage): AgentInstance;
  swapInstance(a: Agent, next: AgentInstance, image: LoadedImage, windowMs: number): void;
  runHook(a: Agent, kind: 'serialize' | 'restore' | 'merge' | 'partition' | 'migrate', payload: unknown, inst?: AgentInstance | null): Promise<unknown>;
  discardEmbryo(a: Agent): void;
  exitAgent(a: Agent, code: number, reason: string): void;
  suspend(a: Agent): void;
  resume(a: Agent): void;
  info(a: Agent): AgentInfo;
  ps(): AgentInfo[];
  manifests(): Array<{ agent: number; manifest: AgentManifest }>;
  pushLog(a: Agent, line: string): void;

  // ---- scheduling and blocking
  /** A blocking call's promise, settled by an activation of the caller; EAGAIN past the per-agent limit when bounded. */
  block<T>(a: Agent, bounded?: boolean): { promise: Promise<T>; settle: (ok: boolean, value: unknown) => void };
  /** Runs kernel work for `a` outside its activations and charges its time to `a`. */
  chargedWork<T>(a: Agent, fn: () => T): T;
  readonly dlAdmission: DeadlineAdmission;

  // ---- messages
  deliver(to: Agent, msg: Message, notice?: boolean): void;
  deliverData(to: Agent, from: number, bytes: Uint8Array): void;
  pump(a: Agent): void;
  ackReceipts(a: Agent): void;
  /** Journal seq of each message a durable agent holds (until acknowledged). */
  readonly msgSeq: WeakMap<Message, number>;

  // ---- tracing (null: off, and no tracing work is done)
  readonly tracer: TracerPort | null;
  /** During a traced syscall: its span (sent messages carry its context); null otherwise. */
  readonly sendSpan: TraceSpan | null;

  // ---- records, events, async results, memory, devices
  readonly audit: AuditLog;
  readonly auditRate: AuditRateLimiter;
  readonly events: EventBus;
  readonly tickets: TicketTable;
  readonly arena: FrameArena;
  readonly model: ModelDevice | null;
  /** Devices on the bus by name, with the root's handle to each (DeviceList, DeviceOpen). */
  readonly devices: ReadonlyMap<string, { object: DeviceObject; handle: number }>;
  /** Checkpoints of a node without a checkpoint store (in memory only). */
  readonly checkpointsInMemory: Map<string, string>;
}

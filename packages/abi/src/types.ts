// Wire types shared by the kernel, the runtime, services and tools. Plain data
// only: everything here survives JSON and the sandbox boundary.

/** A handle: an index into the calling agent's own handle table. Meaningless in any other agent. */
export type Handle = number;
/** An async ticket, owned by the agent that started the operation. */
export type Ticket = number;
/** A virtual address in the calling agent's address space. */
export type VAddr = number;
/** A node-unique agent id (pid). Ids are never reused within a node's life. */
export type AgentId = number;

export type Domain = 'native' | 'wasm';

/** An agent image: module text, or a path to a module file on the node's host. */
export type AgentImage = { source: string; filename?: string } | { path: string };

export type AgentState = 'embryo' | 'ready' | 'running' | 'waiting' | 'suspended' | 'zombie' | 'dead';

export type SchedHint = 'interactive' | 'batch' | 'deadline' | 'llm-bound' | 'io-bound';

/**
 * Quotas. A child's limits may not exceed its parent's; usage is charged to the
 * agent and to every ancestor (cgroup style), so a subtree never exceeds the
 * limit of its root. Unset fields inherit the parent's limit.
 */
export interface Quotas {
  /** Bytes of memory regions, pool pages and frames. */
  memBytes?: number;
  /** Physical frames. */
  frames?: number;
  /** Live descendants. */
  spawns?: number;
  /** Spawn depth below this agent. */
  spawnDepth?: number;
  /** Mailbox depth in messages. */
  mailboxDepth?: number;
  /** Model tokens (prompt + completion) per llmPeriodMs; charged to ancestors too. */
  llmTokens?: number;
  /** Model cost units per llmPeriodMs. */
  llmCost?: number;
  /** Budget window of llmTokens and llmCost in ms (unset: one window forever). */
  llmPeriodMs?: number;
  /** IPC messages this agent may send per second (token bucket; EQUOTA past it). */
  ipcMsgsPerSec?: number;
  /** IPC payload bytes this agent may send per second. */
  ipcBytesPerSec?: number;
  /** CPU milliseconds per cpuPeriodMs; past it the agent is not scheduled until the period ends. */
  cpuMsPerPeriod?: number;
  /** The CPU quota's period in ms (default 1,000). */
  cpuPeriodMs?: number;
  /** Bytes this agent's file writes may add to its mounts, net of what they replace or remove (EQUOTA past it). */
  fsBytes?: number;
  /** Requests per second through the net device (EQUOTA past it). */
  netRequestsPerSec?: number;
  /** Bytes per second sent and received through the net device (EQUOTA past it). */
  netBytesPerSec?: number;
}

/** Scheduling parameters an agent may set for itself (SchedSet) or be given at spawn. */
export interface SchedParams {
  nice?: number;
  hints?: SchedHint[];
  /** 'deadline' hint: the CPU budget reserved per period, in ms. */
  budgetMs?: number;
  /** 'deadline' hint: the period (and relative deadline of each activation), in ms. */
  periodMs?: number;
}

export interface SpawnOptions {
  name?: string;
  /** A cluster node to spawn on (a { source } image; only name and config travel). Another node's name gives a handle to the remote agent. */
  node?: string;
  /** Privileges for the child's self handle: a subset of the caller's ('spawn', 'frame', 'map', 'supervise', 'admin', 'realtime', 'detach'). */
  capabilities?: string[];
  /** Handles placed in the child's namespace under a name, with optionally narrowed rights. */
  namespace?: Record<string, Handle | { handle: Handle; rights?: number }>;
  quotas?: Quotas;
  nice?: number;
  hints?: SchedHint[];
  /** Execution domain. Defaults to the node's default for user agents. */
  domain?: Domain;
  /**
   * Affinity hint: the executor (worker thread, 0-based, taken modulo the node's executor count) the
   * sandbox should run on. Ignored when sandboxed agents run on the kernel thread (`--cpus 0`).
   */
  affinity?: number;
  /** Free-form configuration given to the agent as ctx.config. Must be JSON. */
  config?: unknown;
  /** Labels used by policy (resource and scheduling policies); a subset of the spawner's own labels unless it holds ADMIN. */
  labels?: string[];
  /** Reservation of the 'deadline' hint (the spawner needs REALTIME; admission-controlled node-wide). */
  deadline?: { budgetMs: number; periodMs: number };
  /**
   * Detached: the child outlives its spawner (the root adopts it) instead of being killed when the
   * spawner exits. Needs the DETACH privilege.
   */
  detached?: boolean;
  /**
   * Durable: the agent's record and its unread messages are journaled, so it survives a
   * crash of the node (kill -9) and comes back at the next boot per `restart`. Only for
   * agents the node's host spawns.
   */
  durable?: boolean;
  /** OTP restart types for durable agents: permanent (default) always comes back, transient only after a crash, temporary never. */
  restart?: 'permanent' | 'transient' | 'temporary';
  /** Folders for the child, each placed in its namespace as `fs:<name>` (see MountSpec). */
  mounts?: import('./io.ts').MountSpec[];
  /**
   * Hosts the child may reach through its `net` device: `HOST[:PORT]`, `*.example.org`, or an address
   * (`127.0.0.1:8080`); each covered by the spawner's own grants. Absent: no net device.
   */
  net?: string[];
}

/** A message as IPCRecv returns it. `from` is stamped by the kernel and cannot be forged. */
export interface Message {
  from: AgentId;
  data: Uint8Array;
  /** Handles transferred with the message, now in the receiver's table. */
  handles: Handle[];
  /** Small kind tag: 'data' for IPCSend, 'exit' and 'trap' for supervision notices, 'event' for events. */
  tag: string;
  /** W3C traceparent of the sender's span, stamped by the kernel when tracing is on (absent otherwise). */
  trace?: string;
}

export interface SendOptions {
  handles?: Handle[];
  /** Rights to keep on each transferred handle (default: its current rights minus nothing). */
  handleRights?: number[];
  tag?: string;
}

export interface IntentManifest {
  name: string;
  description?: string;
  examples?: string[];
  /** JSON Schema of the payload. */
  input?: unknown;
  /** JSON Schema of the result. */
  output?: unknown;
}

export interface AgentManifest {
  name: string;
  version?: string;
  description?: string;
  intents?: IntentManifest[];
}

/** One row of `ps`. */
export interface AgentInfo {
  id: AgentId;
  name: string;
  state: AgentState;
  domain: Domain;
  parent: AgentId | null;
  nice: number;
  weight: number;
  hints: SchedHint[];
  cpuMs: number;
  vruntime: number;
  activations: number;
  mailbox: number;
  memBytes: number;
  handles: number;
  exitCode: number | null;
  exitReason: string | null;
  startedAt: number;
  /** Model tokens used (prompt + completion), when the node has a model device. */
  llmTokens?: number;
  /** Longest wake-to-run delay seen by this agent, in ms. */
  maxWakeLatencyMs?: number;
  /** Behavioural analysis: trust (0..1) and the anomaly score of the last window. */
  trust?: number;
  anomaly?: number;
  quarantined?: boolean;
  version?: string;
  /** The executor (worker thread) its sandbox runs on; absent when it runs on the kernel thread. */
  executor?: number;
  /** Times its sandbox moved between executors (migrateToExecutor, the balancer); absent when never. */
  migrations?: number;
}

/** Body of an 'exit' or 'trap' notice sent to supervisors (JSON in the message data). */
export interface ExitNotice {
  agent: AgentId;
  name: string;
  code: number;
  reason: string;
  trap?: TrapInfo;
}

/** 'fault': the executor (worker thread) running the agent crashed or hung; the agent did nothing wrong itself. */
export type TrapKind = 'exception' | 'cpu' | 'memory' | 'syscall-storm' | 'load' | 'fault';

export interface TrapInfo {
  kind: TrapKind;
  message: string;
  stack?: string;
  /** The AiosError code when the agent failed with one (also the first word of message). */
  code?: string;
}

export interface AuditRecord {
  seq: number;
  time: number;
  agent: AgentId;
  syscall: string;
  object: string | null;
  result: 'ok' | string;
  detail?: Record<string, unknown>;
}

export interface KernelEvent {
  topic: string;
  time: number;
  data: Record<string, unknown>;
}

export type PqcOp =
  | 'mlkem768.keygen'
  | 'mlkem768.encaps'
  | 'mlkem768.decaps'
  | 'mldsa65.keygen'
  | 'mldsa65.sign'
  | 'mldsa65.verify';

export const PQC_OPS: readonly PqcOp[] = [
  'mlkem768.keygen', 'mlkem768.encaps', 'mlkem768.decaps', 'mldsa65.keygen', 'mldsa65.sign', 'mldsa65.verify',
];

export interface CapInfo {
  handle: Handle;
  type: string;
  rights: number;
  rightNames: string[];
  object: string;
  name?: string;
  expires?: number;
}

export interface CapDeriveOptions {
  /** Clock time (ms) after which the derived handle stops working (EPERM). */
  expires?: number;
  /** A quota on the derived handle: how many syscalls may use it (EQUOTA past it; derived handles share it). */
  quota?: { uses?: number };
}

/** What SelfInfo returns. */
export interface SelfInfo {
  id: AgentId;
  name: string;
  parent: AgentId | null;
  domain: Domain;
  config: unknown;
}

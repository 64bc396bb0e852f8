// The syscall table: one row per call, xv6's syscall.c as data. The kernel's
// dispatcher, the runtime's stubs and docs/syscalls.md are all derived from it.
// `kind`: 'sync' returns a value; 'async' returns a ticket at once (poll with
// GetAsyncResult, or block with AsyncWait); 'blocking' returns a promise the
// kernel settles later (the agent's continuation is scheduled like any activation).

import type { ErrorCode } from './errors.ts';

export type SyscallKind = 'sync' | 'async' | 'blocking';

export interface SyscallParam {
  name: string;
  /** TypeScript type, as written in the generated stub. */
  type: string;
  optional?: boolean;
  /** Rest parameter (only the last one). */
  rest?: boolean;
}

export interface SyscallRow {
  nr: number;
  /** PascalCase name, as in the architecture and audit records. */
  name: string;
  /** camelCase stub exported from @aios/runtime/kernel. */
  stub: string;
  kind: SyscallKind;
  params: SyscallParam[];
  returns: string;
  /** Rights the call needs, as "param: RIGHT|RIGHT" or "self: RIGHT" (the caller's self handle). */
  rights: string[];
  errors: ErrorCode[];
  /** Whether the call changes state (and so always leaves an audit record). */
  mutates: boolean;
  summary: string;
}

const p = (name: string, type: string, optional = false): SyscallParam => ({ name, type, optional });

/** The rows as literals (their names and numbers typed exactly; NR is derived from them). */
const ROWS = [
  { nr: 0, name: 'AgentSpawn', stub: 'agentSpawn', kind: 'async', params: [p('image', 'AgentImage'), p('opts', 'SpawnOptions', true)], returns: 'Ticket', rights: ['self: SPAWN'], errors: ['EPERM', 'EACCES', 'EINVAL', 'EMSGSIZE', 'EQUOTA', 'EAGAIN', 'ENOENT', 'EBADF'], mutates: true, summary: 'Starts a child agent from an image. The ticket resolves to the child handle with full rights.' },
  { nr: 1, name: 'AgentSupervisorRegister', stub: 'agentSupervisorRegister', kind: 'sync', params: [p('agents', 'Handle[]')], returns: 'void', rights: ['agents[i]: SUPERVISE'], errors: ['EPERM', 'EBADF', 'EINVAL', 'ESRCH'], mutates: true, summary: 'Makes the caller a supervisor of the agents: it receives their exit and trap notices as messages.' },
  { nr: 2, name: 'AgentRegister', stub: 'agentRegister', kind: 'sync', params: [p('manifest', 'AgentManifest')], returns: 'void', rights: [], errors: ['EINVAL', 'EMSGSIZE'], mutates: true, summary: "Publishes the caller's manifest (name, version, description, intents) in the kernel registry." },
  { nr: 3, name: 'AgentKill', stub: 'agentKill', kind: 'sync', params: [p('agent', 'Handle'), p('reason', 'string', true)], returns: 'void', rights: ['agent: KILL'], errors: ['EPERM', 'EBADF', 'ESRCH', 'EINVAL'], mutates: true, summary: "Kills an agent, freeing its mailbox, memory and handles; its supervisors and parent get an exit notice." },
  { nr: 4, name: 'IPCSend', stub: 'ipcSend', kind: 'sync', params: [p('to', 'Handle'), p('data', 'Uint8Array'), p('opts', 'SendOptions', true)], returns: 'void', rights: ['to: SEND', 'opts.handles[i]: TRANSFER'], errors: ['EPERM', 'EACCES', 'EBADF', 'EINVAL', 'EMSGSIZE', 'EAGAIN', 'ESRCH'], mutates: true, summary: 'Queues a message (at most 64 KiB) in the receiver mailbox; never blocks (EAGAIN when full).' },
  { nr: 5, name: 'IPCRecv', stub: 'ipcRecv', kind: 'sync', params: [], returns: 'Message', rights: [], errors: ['EAGAIN'], mutates: true, summary: 'Takes the oldest message from the caller mailbox; EAGAIN when empty.' },
  { nr: 6, name: 'AgentMemAlloc', stub: 'agentMemAlloc', kind: 'sync', params: [p('bytes', 'number'), p('perms', 'number | string', true)], returns: 'VAddr', rights: [], errors: ['EINVAL', 'EQUOTA', 'ENOMEM'], mutates: true, summary: 'Allocates a zeroed region (at most 1 GiB) in the caller address space, charged to its memory quota.' },
  { nr: 7, name: 'AgentMemFree', stub: 'agentMemFree', kind: 'sync', params: [p('vaddr', 'VAddr')], returns: 'void', rights: [], errors: ['EFAULT', 'EINVAL', 'EBUSY'], mutates: true, summary: 'Frees the region that starts at vaddr; an unknown or freed address gives EFAULT, a region another agent still maps EBUSY.' },
  { nr: 8, name: 'FrameAlloc', stub: 'frameAlloc', kind: 'sync', params: [p('count', 'number', true)], returns: 'Handle', rights: ['self: FRAME'], errors: ['EPERM', 'EACCES', 'EINVAL', 'ENOMEM', 'EQUOTA'], mutates: true, summary: 'Allocates contiguous 4 KiB physical frames from the node arena; returns a frame handle.' },
  { nr: 9, name: 'PageMap', stub: 'pageMap', kind: 'sync', params: [p('frame', 'Handle'), p('vaddr', 'VAddr'), p('perms', 'number | string', true)], returns: 'void', rights: ['self: MAP', 'frame: MAP'], errors: ['EPERM', 'EBADF', 'EINVAL', 'EEXIST'], mutates: true, summary: 'Maps a frame handle at a page-aligned address of the caller address space.' },
  { nr: 10, name: 'AgentPoolAlloc', stub: 'agentPoolAlloc', kind: 'sync', params: [p('bytes', 'number')], returns: 'VAddr', rights: [], errors: ['EINVAL', 'EQUOTA', 'ENOMEM'], mutates: true, summary: 'Allocates a small object (at most 2 KiB) from the caller pool of size classes.' },
  { nr: 11, name: 'PQCOperation', stub: 'pqcOperation', kind: 'async', params: [p('op', 'PqcOp'), p('args', 'Record<string, Uint8Array>', true)], returns: 'Ticket', rights: [], errors: ['EINVAL', 'ENOSYS', 'EAGAIN'], mutates: false, summary: 'Runs an ML-KEM-768 or ML-DSA-65 operation off the kernel thread; the ticket resolves to its outputs.' },
  { nr: 12, name: 'GetAsyncResult', stub: 'getAsyncResult', kind: 'sync', params: [p('ticket', 'Ticket')], returns: 'unknown', rights: ['ticket: owner'], errors: ['EAGAIN', 'EINVAL', 'ECANCELED'], mutates: false, summary: "Returns an async operation's result (or throws its error); EAGAIN while pending. A result is taken once." },
  { nr: 13, name: 'IPCWait', stub: 'ipcWait', kind: 'blocking', params: [p('timeoutMs', 'number', true)], returns: 'Message', rights: [], errors: ['ETIMEDOUT', 'EINVAL', 'ECANCELED', 'EAGAIN'], mutates: true, summary: 'Blocking form of IPCRecv: resolves with the next message, or ETIMEDOUT.' },
  { nr: 14, name: 'AsyncWait', stub: 'asyncWait', kind: 'blocking', params: [p('ticket', 'Ticket'), p('timeoutMs', 'number', true)], returns: 'unknown', rights: ['ticket: owner'], errors: ['EINVAL', 'ETIMEDOUT', 'ECANCELED', 'EAGAIN'], mutates: false, summary: 'Blocking form of GetAsyncResult.' },
  { nr: 15, name: 'MemRead', stub: 'memRead', kind: 'sync', params: [p('vaddr', 'VAddr'), p('len', 'number')], returns: 'Uint8Array', rights: [], errors: ['EFAULT', 'EINVAL', 'EMSGSIZE'], mutates: false, summary: 'Copies bytes out of the caller address space; unmapped or unreadable pages give EFAULT.' },
  { nr: 16, name: 'MemWrite', stub: 'memWrite', kind: 'sync', params: [p('vaddr', 'VAddr'), p('data', 'Uint8Array')], returns: 'void', rights: [], errors: ['EFAULT', 'EINVAL', 'EMSGSIZE'], mutates: false, summary: 'Copies bytes into the caller address space; unmapped or read-only pages give EFAULT.' },
  { nr: 17, name: 'SelfHandle', stub: 'selfHandle', kind: 'sync', params: [], returns: 'Handle', rights: [], errors: [], mutates: false, summary: "Returns the caller's handle to itself (its rights are its privileges)." },
  { nr: 18, name: 'Exit', stub: 'exit', kind: 'sync', params: [p('code', 'number', true)], returns: 'never', rights: [], errors: ['EINVAL'], mutates: true, summary: 'Ends the caller with an exit code (0 to 255).' },
  { nr: 19, name: 'Log', stub: 'log', kind: 'sync', params: [{ name: 'args', type: 'unknown[]', rest: true }], returns: 'void', rights: [], errors: [], mutates: false, summary: "Appends a line to the caller's log." },
  { nr: 20, name: 'ClockNow', stub: 'clockNow', kind: 'sync', params: [], returns: 'number', rights: [], errors: [], mutates: false, summary: "The node clock, in milliseconds since the Unix epoch (the kernel's clock port)." },
  { nr: 21, name: 'CapDerive', stub: 'capDerive', kind: 'sync', params: [p('handle', 'Handle'), p('rights', 'number'), p('opts', 'CapDeriveOptions', true)], returns: 'Handle', rights: ['handle: DERIVE'], errors: ['EPERM', 'EBADF', 'EINVAL', 'EACCES', 'EQUOTA'], mutates: true, summary: 'Derives a new handle to the same object with rights narrowed to `rights` (extra bits give EPERM), optionally expiring (`expires`) or with a quota of uses (`quota: { uses }`, EQUOTA past it).' },
  { nr: 22, name: 'CapRevoke', stub: 'capRevoke', kind: 'sync', params: [p('handle', 'Handle')], returns: 'number', rights: [], errors: ['EBADF'], mutates: true, summary: 'Revokes every handle derived from this one, in every agent; returns how many were revoked.' },
  { nr: 23, name: 'CapList', stub: 'capList', kind: 'sync', params: [], returns: 'CapInfo[]', rights: [], errors: [], mutates: false, summary: "Lists the caller's handles with their types and rights." },
  { nr: 24, name: 'HandleClose', stub: 'handleClose', kind: 'sync', params: [p('handle', 'Handle')], returns: 'void', rights: [], errors: ['EBADF', 'EINVAL'], mutates: true, summary: "Removes a handle from the caller's table (the self handle cannot be closed: EINVAL) (what was derived from it stays)." },
  { nr: 25, name: 'MemShare', stub: 'memShare', kind: 'sync', params: [p('vaddr', 'VAddr'), p('rights', 'number', true)], returns: 'Handle', rights: [], errors: ['EFAULT', 'EINVAL', 'EPERM'], mutates: true, summary: 'Returns a handle to the region at vaddr so it can be sent to another agent and mapped there.' },
  { nr: 26, name: 'MemMap', stub: 'memMap', kind: 'sync', params: [p('handle', 'Handle'), p('perms', 'number | string', true)], returns: 'VAddr', rights: ['handle: MAP'], errors: ['EPERM', 'EBADF', 'EINVAL', 'ENOMEM'], mutates: true, summary: 'Maps a shared memory region (or frame) handle into the caller address space.' },
  { nr: 27, name: 'AgentPoolFree', stub: 'agentPoolFree', kind: 'sync', params: [p('vaddr', 'VAddr')], returns: 'void', rights: [], errors: ['EFAULT'], mutates: true, summary: 'Returns a pool object to its size class; unknown or freed addresses give EFAULT.' },
  { nr: 28, name: 'PageUnmap', stub: 'pageUnmap', kind: 'sync', params: [p('vaddr', 'VAddr')], returns: 'void', rights: [], errors: ['EFAULT', 'EINVAL'], mutates: true, summary: 'Unmaps a mapping made by PageMap or MemMap.' },
  { nr: 29, name: 'SchedYield', stub: 'schedYield', kind: 'blocking', params: [], returns: 'void', rights: [], errors: [], mutates: false, summary: 'Ends the current activation; the continuation is queued behind the other runnable agents.' },
  { nr: 30, name: 'Sleep', stub: 'sleep', kind: 'blocking', params: [p('ms', 'number')], returns: 'void', rights: [], errors: ['EINVAL', 'EAGAIN'], mutates: false, summary: 'Resolves after ms milliseconds of the node clock.' },
  { nr: 31, name: 'EventSubscribe', stub: 'eventSubscribe', kind: 'sync', params: [p('pattern', 'string')], returns: 'Handle', rights: [], errors: ['EINVAL', 'EACCES', 'EQUOTA'], mutates: true, summary: "Subscribes to event topics ('agent.*.exit'); events arrive as messages tagged 'event'. Close the handle to stop." },
  { nr: 32, name: 'EventPublish', stub: 'eventPublish', kind: 'sync', params: [p('topic', 'string'), p('data', 'Record<string, unknown>', true)], returns: 'void', rights: [], errors: ['EINVAL', 'EMSGSIZE'], mutates: false, summary: "Publishes an event under 'user.<agent id>.<topic>'." },
  { nr: 33, name: 'AgentInfo', stub: 'agentInfo', kind: 'sync', params: [p('agent', 'Handle')], returns: 'AgentInfo', rights: ['agent: INSPECT'], errors: ['EPERM', 'EBADF'], mutates: false, summary: "An agent's status: state, usage, exit code." },
  { nr: 34, name: 'AgentList', stub: 'agentList', kind: 'sync', params: [], returns: 'AgentInfo[]', rights: ['self: ADMIN'], errors: ['EPERM'], mutates: false, summary: 'Every agent of the node (ps); privileged.' },
  { nr: 35, name: 'NsLookup', stub: 'nsLookup', kind: 'sync', params: [p('name', 'string')], returns: 'Handle', rights: [], errors: ['ENOENT', 'EINVAL'], mutates: false, summary: "Looks a name up in the caller's own namespace (handles its spawner placed there)." },
  { nr: 36, name: 'NsList', stub: 'nsList', kind: 'sync', params: [], returns: 'string[]', rights: [], errors: [], mutates: false, summary: "The names in the caller's namespace." },
  { nr: 38, name: 'SelfInfo', stub: 'selfInfo', kind: 'sync', params: [], returns: 'SelfInfo', rights: [], errors: [], mutates: false, summary: "The caller's id, name, parent and the config its spawner gave it." },
  { nr: 39, name: 'AsyncCancel', stub: 'asyncCancel', kind: 'sync', params: [p('ticket', 'Ticket')], returns: 'void', rights: ['ticket: owner'], errors: ['EINVAL'], mutates: true, summary: 'Cancels a pending async operation: its result becomes ECANCELED (a spawn in progress is abandoned).' },
  { nr: 40, name: 'SchedSet', stub: 'schedSet', kind: 'sync', params: [p('params', 'SchedParams')], returns: 'void', rights: ['self: ADMIN to lower nice'], errors: ['EINVAL', 'EPERM'], mutates: true, summary: "Sets the caller's nice value and scheduling hints (interactive, batch, deadline, llm-bound, io-bound). Lowering nice below its spawn value needs ADMIN." },
  { nr: 41, name: 'LlmComplete', stub: 'llmComplete', kind: 'blocking', params: [p('device', 'Handle | LlmRequest'), p('req', 'LlmRequest', true)], returns: 'LlmResult', rights: ['device: USE'], errors: ['EPERM', 'EBADF', 'EINVAL', 'EMSGSIZE', 'EAGAIN', 'EQUOTA', 'ECANCELED', 'ETIMEDOUT', 'EIO'], mutates: true, summary: "Asks the model device for a completion (`llmComplete(device, req)`, or `llmComplete(req)` with the 'model' device of the namespace); requests are shared among agents by weighted fair queuing on tokens and charged to the caller's budget." },
  { nr: 42, name: 'LlmStreamOpen', stub: 'llmStreamOpen', kind: 'sync', params: [p('device', 'Handle | LlmRequest'), p('req', 'LlmRequest', true)], returns: 'Handle', rights: ['device: USE'], errors: ['EPERM', 'EBADF', 'EINVAL', 'EMSGSIZE', 'EAGAIN', 'EQUOTA'], mutates: true, summary: 'Starts a streamed completion; returns a stream handle to read with LlmStreamNext (closing it cancels the request).' },
  { nr: 43, name: 'LlmStreamNext', stub: 'llmStreamNext', kind: 'blocking', params: [p('stream', 'Handle')], returns: 'LlmChunk | null', rights: ['stream: READ'], errors: ['EPERM', 'EBADF', 'ECANCELED', 'ETIMEDOUT', 'EIO', 'EQUOTA', 'EAGAIN'], mutates: false, summary: 'The next chunk of a stream, or null after the last one.' },
  { nr: 44, name: 'LlmUsage', stub: 'llmUsage', kind: 'sync', params: [p('device', 'Handle')], returns: 'LlmAgentUsage', rights: ['device: USE'], errors: ['EPERM', 'EBADF'], mutates: false, summary: "The caller's model usage and budget window on a device." },
  { nr: 45, name: 'AgentSuspend', stub: 'agentSuspend', kind: 'sync', params: [p('agent', 'Handle')], returns: 'void', rights: ['agent: SUSPEND'], errors: ['EPERM', 'EBADF', 'ESRCH', 'EINVAL'], mutates: true, summary: 'Suspends an agent: none of its activations run until it is resumed; messages still queue (bounded).' },
  { nr: 46, name: 'AgentResume', stub: 'agentResume', kind: 'sync', params: [p('agent', 'Handle')], returns: 'void', rights: ['agent: SUSPEND'], errors: ['EPERM', 'EBADF', 'ESRCH', 'EINVAL'], mutates: true, summary: 'Resumes a suspended agent.' },
  { nr: 47, name: 'AgentCheckpoint', stub: 'agentCheckpoint', kind: 'async', params: [p('agent', 'Handle')], returns: 'Ticket', rights: ['agent: INSPECT|SUSPEND'], errors: ['EPERM', 'EBADF', 'ESRCH', 'ENOSYS', 'EIO'], mutates: true, summary: "Writes a durable checkpoint of an agent (its serialize hook's state, memory regions, unread messages); the ticket resolves to { id, bytes }." },
  { nr: 48, name: 'AgentRestore', stub: 'agentRestore', kind: 'async', params: [p('checkpoint', 'string'), p('opts', 'SpawnOptions', true)], returns: 'Ticket', rights: ['self: SPAWN'], errors: ['EPERM', 'ENOENT', 'EINVAL', 'ENOSYS', 'EQUOTA'], mutates: true, summary: 'Starts a new agent from a checkpoint (same image, memory and unread messages; state through its restore hook); resolves to its handle.' },
  { nr: 49, name: 'AgentClone', stub: 'agentClone', kind: 'async', params: [p('agent', 'Handle'), p('opts', 'SpawnOptions', true)], returns: 'Ticket', rights: ['self: SPAWN', 'agent: INSPECT|SUSPEND'], errors: ['EPERM', 'EACCES', 'EBADF', 'ESRCH', 'ENOSYS', 'EQUOTA'], mutates: true, summary: "A new agent with a copy of the agent's state (serialize/restore hooks), memory regions and namespace handles; resolves to its handle." },
  { nr: 50, name: 'AgentMerge', stub: 'agentMerge', kind: 'async', params: [p('into', 'Handle'), p('from', 'Handle')], returns: 'Ticket', rights: ['into: SUSPEND', 'from: KILL|SUSPEND'], errors: ['EPERM', 'EBADF', 'ESRCH', 'EINVAL', 'ENOSYS'], mutates: true, summary: "Merges two agents of one image: state through the merge hook, from's unread messages appended after into's, privileges the intersection; `from` exits." },
  { nr: 51, name: 'AgentSplit', stub: 'agentSplit', kind: 'async', params: [p('agent', 'Handle'), p('opts', 'SpawnOptions', true)], returns: 'Ticket', rights: ['self: SPAWN', 'agent: SUSPEND'], errors: ['EPERM', 'EBADF', 'ESRCH', 'ENOSYS', 'EQUOTA'], mutates: true, summary: 'Splits an agent in two through its partition hook (state and unread messages); resolves to the new agent handle.' },
  { nr: 52, name: 'AgentUpgrade', stub: 'agentUpgrade', kind: 'async', params: [p('agent', 'Handle'), p('image', 'AgentImage'), p('opts', '{ rollbackWindowMs?: number }', true)], returns: 'Ticket', rights: ['agent: KILL|SUSPEND'], errors: ['EPERM', 'EBADF', 'ESRCH', 'EINVAL', 'ENOENT', 'ENOSYS'], mutates: true, summary: 'Hot-upgrades an agent to a new image version, carrying state through the migrate hook; rolls back if the new version traps within the window.' },
  { nr: 53, name: 'AgentSpecialize', stub: 'agentSpecialize', kind: 'async', params: [p('template', 'Handle'), p('opts', 'SpawnOptions', true)], returns: 'Ticket', rights: ['self: SPAWN', 'template: INSPECT'], errors: ['EPERM', 'EBADF', 'ESRCH', 'EINVAL', 'EQUOTA'], mutates: true, summary: "A new agent from a template agent's image with capabilities narrowed to a subset of the template's and extra config merged in." },
  { nr: 54, name: 'DeviceCall', stub: 'deviceCall', kind: 'blocking', params: [p('device', 'Handle'), p('method', 'string'), p('args', 'unknown[]', true)], returns: 'unknown', rights: ['device: USE'], errors: ['EPERM', 'EBADF', 'EINVAL', 'ENOSYS', 'EIO', 'ECONFLICT', 'EEXIST', 'ENOENT', 'EQUOTA', 'EAGAIN'], mutates: true, summary: "Calls a method of a driver on the device bus (a storage driver's or an embedder's); only the methods its kind exposes." },
  { nr: 55, name: 'ObjCreate', stub: 'objCreate', kind: 'sync', params: [p('tag', 'string')], returns: 'Handle', rights: [], errors: ['EINVAL', 'ENOMEM'], mutates: true, summary: 'Creates a service object: an unforgeable token with rights (READ, WRITE, SEARCH, ...) that a service hands out, e.g. a memory namespace.' },
  { nr: 56, name: 'ObjInfo', stub: 'objInfo', kind: 'sync', params: [p('handle', 'Handle')], returns: '{ owner: AgentId; tag: string; rights: number; object: string }', rights: [], errors: ['EBADF', 'EPERM'], mutates: false, summary: 'What a service object handle names: its creator, its tag and the rights this handle carries.' },
  { nr: 57, name: 'AgentOpen', stub: 'agentOpen', kind: 'sync', params: [p('agent', 'AgentId'), p('rights', 'number', true)], returns: 'Handle', rights: ['self: ADMIN'], errors: ['EPERM', 'ESRCH', 'EINVAL'], mutates: true, summary: 'A handle to any live agent by id; privileged (services such as semantic-ipcd).' },
  { nr: 58, name: 'CapExport', stub: 'capExport', kind: 'async', params: [p('handle', 'Handle'), p('opts', '{ rights?: number; expiresInMs?: number; audience?: AgentId | "node"; maxUses?: number }', true)], returns: 'Ticket', rights: ['handle: TRANSFER'], errors: ['EPERM', 'EACCES', 'EBADF', 'EINVAL', 'ENOSYS', 'EAGAIN', 'EQUOTA'], mutates: true, summary: 'Exports a capability as a token (hybrid Ed25519 + ML-DSA-65 signature) with caveats: rights, expiry, audience, maximum uses. Revoking the handle revokes the token.' },
  { nr: 59, name: 'CapRedeem', stub: 'capRedeem', kind: 'sync', params: [p('token', 'string'), p('rights', 'number', true)], returns: 'Handle', rights: [], errors: ['EPERM', 'EACCES', 'EINVAL', 'ENOSYS'], mutates: true, summary: "Presents a token and receives a handle with the token's rights (or fewer). Forged, tampered, expired, revoked or used-up tokens are EPERM; the wrong audience EACCES." },
  { nr: 60, name: 'PolicyApply', stub: 'policyApply', kind: 'blocking', params: [p('text', 'string')], returns: '{ version: number; policies: number; sha256: string }', rights: ['self: ADMIN'], errors: ['EPERM', 'EINVAL', 'ENOSYS', 'EIO', 'EAGAIN'], mutates: true, summary: "Replaces the node's Cedar policy set atomically (validated against the schema first; a bad set is refused whole with EINVAL)." },
  { nr: 37, name: 'ManifestList', stub: 'manifestList', kind: 'sync', params: [], returns: 'Array<{ agent: AgentId; manifest: AgentManifest }>', rights: ['self: ADMIN'], errors: ['EPERM'], mutates: false, summary: 'The registry of manifests; privileged (used by services such as semantic-ipcd).' },
] as const;

/** The syscall table. */
export const SYSCALLS: readonly SyscallRow[] = ROWS as unknown as readonly SyscallRow[];

type Row = (typeof ROWS)[number];
/** A syscall's PascalCase name. */
export type SyscallName = Row['name'];
/** Each syscall's number, typed as its literal (`typeof NR.IPCSend` is that row's nr). */
export type SyscallNumbers = { readonly [R in Row as R['name']]: R['nr'] };

export const SYSCALL_BY_NAME: ReadonlyMap<string, SyscallRow> = /* @__PURE__ */ new Map(SYSCALLS.map((r) => [r.name, r]));
export const SYSCALL_BY_NR: readonly SyscallRow[] = /* @__PURE__ */ (() => {
  const out: SyscallRow[] = [];
  for (const r of SYSCALLS) {
    if (out[r.nr] !== undefined) throw new Error(`duplicate syscall number ${r.nr}`);
    out[r.nr] = r;
  }
  return out;
})();

/** Syscall numbers by PascalCase name, for the kernel's dispatcher and tests. */
export const NR = /* @__PURE__ */ Object.fromEntries(SYSCALLS.map((r) => [r.name, r.nr])) as SyscallNumbers;

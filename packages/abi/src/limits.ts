// Every limit of AIOS in one place, xv6's param.h in spirit. Each has a comment
// saying what it bounds and what a caller gets past it.

/** Largest IPC payload in bytes; one more byte gives EMSGSIZE. */
export const IPC_MAX_MESSAGE_BYTES = 65_536;
/** Most handles one message may carry; more gives EMSGSIZE. */
export const IPC_MAX_HANDLES_PER_MESSAGE = 64;
/** Most messages one IPCSendMany may carry or one IPCRecvMany may take; a longer send list gives EMSGSIZE. */
export const IPC_BATCH_MAX_MESSAGES = 1_024;
/** Most payload bytes one IPCSendMany may carry in all (1 MiB); more gives EMSGSIZE. */
export const IPC_BATCH_MAX_BYTES = 1_048_576;
/** Default mailbox depth in messages; a send to a full mailbox gives EAGAIN. */
export const MAILBOX_DEFAULT_DEPTH = 1_024;
/** Largest mailbox depth an agent may be given. */
export const MAILBOX_MAX_DEPTH = 65_536;
/** Page size of every address space and of physical frames. */
export const PAGE_SIZE = 4_096;
/** Largest single AgentMemAlloc in bytes (1 GiB); one more byte gives EINVAL. */
export const MEM_MAX_ALLOC_BYTES = 2 ** 30;
/** Size of each agent's virtual address space (64 GiB, well inside 2^53). */
export const ADDRESS_SPACE_BYTES = 2 ** 36;
/** First usable virtual address: page 0 is never mapped, so vaddr 0 always faults. */
export const ADDRESS_SPACE_BASE = 0x10000;
/** Largest single MemRead or MemWrite in bytes; more gives EMSGSIZE (use a shared region). */
export const MEM_MAX_IO_BYTES = 16 * 2 ** 20;
/** Default physical arena of a node in 4 KiB frames (64 MiB). Config `arenaFrames` changes it. */
export const DEFAULT_ARENA_FRAMES = 16_384;
/** Most frames one FrameAlloc may take. */
export const FRAME_MAX_PER_ALLOC = 4_096;
/** AgentPoolAlloc size classes in bytes; a larger request gives EINVAL (use AgentMemAlloc). */
export const POOL_SIZE_CLASSES = [16, 32, 64, 128, 256, 512, 1024, 2048] as const;
/** Largest object AgentPoolAlloc serves. */
export const POOL_MAX_OBJECT_BYTES = 2_048;
/** Most handles one agent may hold; more gives ENOMEM. */
export const HANDLES_PER_AGENT_MAX = 65_536;
/** Longest agent name in characters. */
export const AGENT_NAME_MAX = 128;
/** Largest agent image source in bytes (after bundling); more gives EMSGSIZE. */
export const IMAGE_MAX_BYTES = 8 * 2 ** 20;
/** Largest manifest (as JSON) an agent may register. */
export const MANIFEST_MAX_BYTES = 256 * 1024;
/** Longest single log line kept; longer lines are cut with a marker. */
export const LOG_LINE_MAX = 8_192;
/** Lines of log kept per agent in memory. */
export const LOG_LINES_PER_AGENT = 1_000;
/** Default memory quota of an agent spawned without one (bytes of regions, frames and pool). */
export const DEFAULT_MEM_QUOTA_BYTES = 256 * 2 ** 20;
/** Default cap on live descendants of an agent. */
export const DEFAULT_SPAWN_QUOTA = 100_000;
/** Deepest spawn tree below the root. */
export const DEFAULT_SPAWN_DEPTH = 32;
/** Outstanding async tickets per agent; more gives EAGAIN. */
export const TICKETS_PER_AGENT_MAX = 4_096;
/**
 * Blocking syscalls (Sleep, IPCWait, AsyncWait, DeviceCall, Llm*) one agent may have waiting at once
 * (a native agent can start them without awaiting); one more gives EAGAIN. Each holds a promise, and
 * Sleep a host timer, until it settles.
 */
export const BLOCKED_CALLS_PER_AGENT_MAX = 4_096;
/** Events buffered per subscriber before new ones are dropped (and counted). */
export const EVENT_SUBSCRIBER_BUFFER = 1_024;
/** Audit records kept in memory by the first, in-memory audit log. */
export const AUDIT_MEMORY_RECORDS = 100_000;
/** Longest timeout accepted by blocking syscalls (one day). */
export const MAX_TIMEOUT_MS = 86_400_000;
/** Exit and trap records kept for dead agents so `ps` and `wait` can still answer. */
export const ZOMBIE_RECORDS_KEPT = 1_000;
/**
 * Share of the node's CPU that all 'deadline' reservations together may hold, in parts per million of
 * sum(budgetMs / periodMs) (500,000 = half the CPU), so CFS agents always keep the rest. A reservation
 * past it is refused with EQUOTA { resource: 'cpuReservation', limit, used, requested }.
 */
export const DEADLINE_UTIL_MAX_PPM = 500_000;
/**
 * Bytes of log an exited agent keeps (its newest lines); the rest is dropped at exit, so all
 * zombies together hold at most ZOMBIE_RECORDS_KEPT * ZOMBIE_LOG_BYTES (16 MiB) of log.
 */
export const ZOMBIE_LOG_BYTES = 16 * 1024;
/** Bytes of log (UTF-16 code units) a live agent keeps in memory; older lines are dropped first. */
export const LOG_BYTES_PER_AGENT = 1024 * 1024;
/**
 * Audit records one agent's syscalls may add per AUDIT_RATE_WINDOW_MS. Past it, its records are
 * counted instead of written, and one 'AuditCoalesced' record per window names what was dropped
 * (per syscall and result), so a storm can neither flush the ring nor fill the disk. The root
 * agent (the host) and kernel records (exit, trap, quarantine) are not limited.
 */
export const AUDIT_RECORDS_PER_AGENT_WINDOW = 2_000;
/** The window of AUDIT_RECORDS_PER_AGENT_WINDOW, in ms of the kernel clock. */
export const AUDIT_RATE_WINDOW_MS = 1_000;
/** Live event subscriptions one agent may hold; one more gives EQUOTA (publishing costs one match per subscription). */
export const EVENT_SUBSCRIPTIONS_PER_AGENT_MAX = 64;
/** Capability exports (token mints) one agent may have waiting to be signed; one more gives EAGAIN. */
export const TOKEN_MINTS_PENDING_PER_AGENT = 8;
/**
 * Exported tokens the node remembers (for revocation), per exporting agent and in all; expired and
 * revoked ones are forgotten first, and past the bound CapExport gives EQUOTA.
 */
export const TOKENS_PER_AGENT_MAX = 1_024;
export const TOKENS_NODE_MAX = 65_536;
/** Nice range, as on Linux. */
export const NICE_MIN = -20;
export const NICE_MAX = 19;
/** Calls in flight per MCP tool device; one more is EAGAIN (a slow tool server cannot pile up work). */
export const MCP_CALLS_IN_FLIGHT_MAX = 16;
/** Longest an MCP tool call may take before it is ETIMEDOUT. */
export const MCP_CALL_TIMEOUT_MS = 60_000;
/** Largest JSON result an MCP tool call may hand back to an agent; bigger is EMSGSIZE. */
export const MCP_RESULT_MAX_BYTES = 1024 * 1024;
/** Largest JSON arguments an agent may pass to an MCP tool; bigger is EMSGSIZE. */
export const MCP_ARGS_MAX_BYTES = 256 * 1024;
/** Image builds (esbuild) running at once in a node; more wait in a queue, so a spawn flood cannot stall the node. */
export const IMAGE_BUILDS_CONCURRENT = 2;
/** Image builds one agent may have running or queued; one more gives EAGAIN. */
export const IMAGE_BUILDS_PER_AGENT = 4;
/** Image builds queued in a node across all agents; one more gives EAGAIN. */
export const IMAGE_BUILD_QUEUE_MAX = 256;
/** Built images kept in the loader's cache (by content), in total bundle bytes; the least recently used go first. */
export const IMAGE_CACHE_BYTES = 64 * 2 ** 20;
/**
 * Largest shared WebAssembly heap of all wasm sandboxes in a node (bytes). Growth past it is refused:
 * the allocating sandbox traps with reason memory. Each sandbox may also grow it by at most its own
 * memory limit per activation (QuickJS alone cannot count its memory under Emscripten).
 */
export const WASM_HEAP_MAX_BYTES = 2 ** 30;

// ---- runtime inbox, call and serve (packages/runtime/src/ipc, orchestration/serve.ts) ----
/**
 * Longest single IPCWait of the runtime's receive loop, only in its fallback mode (when it could not start a Sleep
 * timer for a deadline earlier than the wait in flight, ipc/inbox.ts): such a deadline is then noticed at most this
 * late. Normally the loop waits until the earliest deadline (forever when none), so an idle agent makes no syscall.
 */
export const INBOX_POLL_MS = 1_000;
/** A service's requests queued per sender (serve); beyond it the sender's next request is refused with EAGAIN. */
export const SERVE_QUEUE_PER_SENDER = 256;
/** Senders with queued requests a service keeps (serve); a new sender beyond it is refused with EAGAIN. */
export const SERVE_SENDERS_MAX = 4_096;
/** Requests a service runs at once by default (serve), taken round-robin across senders. */
export const SERVE_CONCURRENCY = 8;
/** Default time a service gives one request before answering ETIMEDOUT (serve). */
export const SERVE_REQUEST_TIMEOUT_MS = 60_000;
/** Default wait of call() for a reply. */
export const CALL_TIMEOUT_MS = 30_000;

// ---- agent I/O: mounts, the net device, devices (issue 19) ----
/** Longest path (NAME/relative/path) a file syscall accepts, in characters; longer is EMSGSIZE. */
export const FS_PATH_MAX = 4_096;
/** Most segments in a path inside a mount; more is EINVAL. */
export const FS_PATH_SEGMENTS_MAX = 64;
/** Largest file FsRead returns and FsWrite takes, in bytes (16 MiB); bigger is EMSGSIZE. */
export const FS_FILE_MAX_BYTES = 16 * 2 ** 20;
/** Most entries FsList returns; a bigger folder is EMSGSIZE. */
export const FS_LIST_MAX = 10_000;
/** Default bytes an agent's writes may add to its mounts (fsBytes quota) when its spawner gives none: 1 GiB. */
export const DEFAULT_FS_QUOTA_BYTES = 2 ** 30;
/** Default whole-request timeout of NetFetch, ms. */
export const NET_TIMEOUT_MS = 30_000;
/** Longest timeout a NetFetch may ask for, ms. */
export const NET_TIMEOUT_MAX_MS = 10 * 60_000;
/** Redirects NetFetch follows (each hop checked against the grants); one more is EIO. */
export const NET_MAX_REDIRECTS = 10;
/** Largest request body of NetFetch, bytes; bigger is EMSGSIZE. */
export const NET_REQUEST_MAX_BYTES = 16 * 2 ** 20;
/** Largest response body NetRead delivers in total, bytes (64 MiB); past it the stream fails with EMSGSIZE. */
export const NET_RESPONSE_MAX_BYTES = 64 * 2 ** 20;
/** Default requests per second through an agent's net device (netRequestsPerSec). */
export const DEFAULT_NET_REQUESTS_PER_SEC = 50;
/** Default bytes per second through an agent's net device, both directions (netBytesPerSec): 16 MiB. */
export const DEFAULT_NET_BYTES_PER_SEC = 16 * 2 ** 20;
/** Most host grants one net device may hold; more is EINVAL. */
export const NET_GRANTS_MAX = 64;
/** Response bodies one agent may have open at once; one more NetFetch is EAGAIN. */
export const NET_OPEN_BODIES_MAX = 16;
/** Longest DeviceWait, ms (0 or absent waits this long). */
export const DEVICE_WAIT_MAX_MS = 10 * 60_000;
// ---- trust (docs/security.md "Trust"): one score per agent, an integer 0..TRUST_MAX ----
/** The top of the trust scale Cedar's principal.trust, the scheduler and semantic routing share. */
export const TRUST_MAX = 10;
/** principal.trust at or above this passes the default policy's privileged rule (kernel DEFAULT_POLICIES). */
export const TRUST_PRIVILEGED = 8;
/** Below this an agent is low-trust: its scheduler weight is capped, routing prefers trusted replicas. */
export const TRUST_LOW = 5;
/** Below this the node's default policy forbids spawning and exporting capabilities (node-low-trust-*). */
export const TRUST_UNTRUSTED = 3;
/** The scheduler weight of a low-trust agent at most (nice 10's weight: about a tenth of nice 0's CPU). */
export const TRUST_LOW_WEIGHT_MAX = 110;
// ---- the planner (packages/services/src/planner, issue 14) ----
/** Most steps in one plan (a plan travels in one IPC message, so 64 KiB bounds it too). */
export const PLAN_STEPS_MAX = 1_024;
/** Most retries one step may ask for. */
export const PLAN_STEP_RETRIES_MAX = 10;
/** A step attempt's default timeout, and the longest one a step may set. */
export const PLAN_STEP_TIMEOUT_MS = 30_000;
export const PLAN_STEP_TIMEOUT_MAX_MS = 300_000;
/** First retry delay; doubled per attempt up to PLAN_RETRY_BACKOFF_MAX_MS. */
export const PLAN_RETRY_BACKOFF_MS = 100;
export const PLAN_RETRY_BACKOFF_MAX_MS = 10_000;
/** Steps the planner runs at once across all plans (the parallelism limit), by default. */
export const PLAN_PARALLEL_DEFAULT = 64;
/** Unfinished plans the planner keeps at once (EQUOTA past it); finished ones are kept up to PLANS_KEPT. */
export const PLANS_ACTIVE_MAX = 1_024;
export const PLANS_KEPT = 10_000;
/** Longest goal text. */
export const PLAN_GOAL_MAX_CHARS = 4_000;
// ---- cluster (packages/drivers/src/transport-nats, docs/cluster.md) ----
/** A node publishes its directory entry this often (heartbeat). */
export const CLUSTER_HEARTBEAT_MS = 1_000;
/** A node whose entry has not been refreshed for this long is `suspect`. */
export const CLUSTER_SUSPECT_MS = 3_000;
/** A node whose entry has not been refreshed for this long is `down`: its entries leave and requests to it fail (EIO). */
export const CLUSTER_DOWN_MS = 6_000;
/** Messages sealed under one link key before both ends rotate to the next (HKDF ratchet). */
export const LINK_REKEY_MESSAGES = 65_536;
/** Longest one link key is used before it rotates, in ms. */
export const LINK_REKEY_MS = 600_000;
/** Longest a link handshake may take before the send that wanted it fails (ETIMEDOUT). */
export const LINK_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Messages in flight from one node to one remote agent before the sender waits for credit (flow control). */
export const LINK_CREDIT_WINDOW = 64;
/** Messages one node may hold queued for one link while it connects or the transport pushes back (link-queue.ts). */
export const LINK_QUEUE_MAX = 4_096;
/** Largest agent payload carried across a link (the same bound as a local ipcSend). */
export const LINK_MAX_PAYLOAD_BYTES = 65_536;
/** Plaintext bytes of frames one link coalesces into one sealed record before it seals at once (else at the next microtask). */
export const LINK_BATCH_BYTES = 65_536;
/** Default wait for a cross-node request (spawn, ask, open) before ETIMEDOUT. */
export const CLUSTER_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Handles one message to an agent on another node may carry; more is EMSGSIZE. Each is signed (ML-DSA-65 + Ed25519,
 * about 5 ms) on the kernel thread during the send, so the bound keeps one IPCSend from holding the loop past ~20 ms.
 */
export const REMOTE_HANDLES_PER_MESSAGE_MAX = 4;
/** Lifetime of a handle sent to another node (its capability token's expiry) when the sent handle has none, in ms. */
export const REMOTE_CAP_TTL_MS = 86_400_000;
/** Live capability tokens one node has issued to other nodes; more gives EQUOTA (expired and revoked ones are swept first). */
export const REMOTE_CAPS_NODE_MAX = 65_536;
/** Revoked token ids a node remembers (each until its expiry) so a revoked token is never installed again. */
export const REMOTE_CAPS_REVOKED_MAX = 65_536;
/** How often the transport device looks at the directory for a change while networkd's long poll waits (cross-node semantic IPC). */
export const CLUSTER_REMOTES_POLL_MS = 100;
/** Longest networkd's long poll of the cluster view waits in the transport device before answering "unchanged". */
export const CLUSTER_REMOTES_WAIT_MAX_MS = 10_000;
/** Extra wait for a cross-node routed request beyond its target's timeout: the link round trip and the remote semantic-ipcd. */
export const CLUSTER_FORWARD_GRACE_MS = 3_000;
/** Most remote (agent, intent) pairs semantic-ipcd registers from the directory; more are left out (logged). */
export const CLUSTER_REMOTE_INTENTS_MAX = 10_000;
/** Default wait of the host's request() (KernelHost) for a service's reply. */
export const HOST_REQUEST_TIMEOUT_MS = 10_000;

// ---- the model device (llm syscalls), xv6 param.h style: what each bounds and what a caller gets past it ----

/** Most messages in one request; more gives EINVAL. */
export const LLM_MAX_MESSAGES = 1_024;
/** Most characters of all message contents together; more gives EMSGSIZE. */
export const LLM_MAX_PROMPT_CHARS = 4 * 2 ** 20;
/** Largest maxTokens accepted; more gives EINVAL. */
export const LLM_MAX_COMPLETION_TOKENS = 1_000_000;
/** Most stop sequences; more gives EINVAL (the OpenAI API's own limit). */
export const LLM_MAX_STOP = 4;
/** Completion tokens assumed for fair-queue tags when a request sets no maxTokens. */
export const LLM_DEFAULT_COMPLETION_ESTIMATE = 256;
/** Most requests one agent may have queued (not in flight); one more gives EAGAIN. */
export const LLM_MAX_QUEUED_PER_AGENT = 256;
/** Fraction of a budget at which the warning event fires (once per window). */
export const LLM_BUDGET_WARN_FRACTION = 0.8;
/** Tokens added per message for its role and separators when estimating a prompt. */
export const LLM_TOKENS_PER_MESSAGE = 4;

// ---- semantic IPC (semantic-ipcd and the runtime's ask()) and the memory fabric ----

/** How long a target may take to answer an ask by default (semantic-ipcd answers ETIMEDOUT after it). */
export const ASK_TIMEOUT_MS = 10_000;
/** Largest timeoutMs an ask may give; more gives EINVAL. */
export const ASK_MAX_TIMEOUT_MS = 300_000;
/** How much longer than the target's timeout the asker (and semantic-ipcd's server loop) waits for semantic-ipcd. */
export const ASK_REPLY_GRACE_MS = 2_000;
/** Most ids one storage getItems() reads (a search fetches its hits in batches of at most this many). */
export const STORAGE_GET_ITEMS_MAX = 1_000;
/** Largest k (results) of one memory search; more gives EINVAL. */
export const MEMORY_SEARCH_K_MAX = 1_000;
/** Default wait of the runtime memory client for memoryd (the first request may wait for the embedder to load). */
export const MEMORY_CALL_TIMEOUT_MS = 30_000;

// ---- executors (sandboxed agents on worker threads; packages/kernel/src/exec) ----
/** Most executors (worker threads) a node runs; `--cpus` / `executors` beyond it is EINVAL. */
export const EXECUTORS_MAX = 256;
/** Bytes of one executor's syscall ring data area; larger messages cross in chunks of this size. */
export const EXEC_RING_BYTES = 256 * 1024;
/** How long a worker spins on its ring for the kernel's reply before it parks with Atomics.wait (microseconds). */
export const EXEC_WORKER_SPIN_US = 20;
/** How long the kernel thread keeps spinning on the rings after the last request it served (microseconds). */
export const EXEC_KERNEL_SPIN_US = 100;
/** Longest the kernel thread spins on the rings in one host loop turn before it yields to I/O (ms). */
export const EXEC_KERNEL_SPIN_TURN_MS = 1;
/** An executor with work in flight and no sign of life for this long (ms, beyond the slice) is hung: replaced, its agents trapped. */
export const EXEC_WATCHDOG_MS = 5_000;
/** Period of the executor balancer (ms): it compares the executors' summed runnable weight while work is in flight. */
export const EXEC_BALANCE_MS = 50;
/** The balancer acts only when the busiest executor's runnable weight exceeds the idlest's by more than this share of the busiest's (ppm). */
export const EXEC_BALANCE_MARGIN_PPM = 250_000;
/** An agent the balancer moved is not moved again by it for this long (ms): no ping-pong on a noisy sample. */
export const EXEC_BALANCE_COOLDOWN_MS = 1_000;

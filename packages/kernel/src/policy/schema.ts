// The Cedar schema of AIOS and the default policy set. Principals are agents; actions are the
// syscall names of the abi table plus a few kernel checks; resources are kernel objects.
import { SYSCALLS } from '@aios/abi';

/** Actions that are not syscalls: device opening, token redemption, the policy queries, and a call to one tool of a tool device. */
export const EXTRA_ACTIONS = ['DeviceOpen', 'TokenRedeem', 'QuotaQuery', 'SchedQuery', 'ToolCall'] as const;

/** Every action the schema declares. */
export const POLICY_ACTIONS: readonly string[] = [...new Set([...SYSCALLS.map((s) => s.name), ...EXTRA_ACTIONS])];

/** Privileged actions: denied unless a policy explicitly permits them (default deny). */
export const PRIVILEGED_ACTIONS: readonly string[] = [
  'AgentSpawn', 'AgentKill', 'AgentList', 'ManifestList', 'AgentSupervisorRegister', 'FrameAlloc', 'PageMap',
  'DeviceOpen', 'TokenRedeem',
];

export const RESOURCE_TYPES = ['Agent', 'Memory', 'Device', 'Namespace'] as const;
export type PolicyResourceType = (typeof RESOURCE_TYPES)[number];

/** Cedar schema (human format). Context attributes are all optional so every call site can omit them. */
export const AIOS_SCHEMA = `
entity Agent = { name: String, labels: Set<String>, trust: Long, node: String };
entity Memory = { owner?: String, labels?: Set<String> };
entity Device = { kind?: String, name?: String };
entity Namespace = { path?: String };
type ImageInfo = { signed: Bool, signer: String, path: String };
type CallContext = { rights?: Long, bytes?: Long, remoteNode?: String, token?: Bool, image?: ImageInfo };
${POLICY_ACTIONS.map((a) => `action "${a}" appliesTo { principal: [Agent], resource: [Agent, Memory, Device, Namespace], context: CallContext };`).join('\n')}
`;

const unprivileged = POLICY_ACTIONS.filter((a) => !PRIVILEGED_ACTIONS.includes(a) && a !== 'QuotaQuery' && a !== 'SchedQuery');

/**
 * Default policies: every unprivileged syscall is allowed (handles and rights still apply in the
 * kernel); privileged ones only for agents labelled "system" or with trust >= 8; plus default
 * quotas and scheduling through @quota / @nice / @hints annotations (see annotations.ts).
 */
export const DEFAULT_POLICIES = `
@id("default-unprivileged")
permit(principal, action in [${unprivileged.map((a) => `Action::"${a}"`).join(', ')}], resource);

@id("default-privileged-system")
permit(principal, action in [${PRIVILEGED_ACTIONS.map((a) => `Action::"${a}"`).join(', ')}], resource)
when { principal.labels.contains("system") || principal.trust >= 8 };

@id("quota-default") @priority("0") @quota("memBytes=67108864,frames=256,spawns=16,spawnDepth=4,mailboxDepth=256")
permit(principal, action == Action::"QuotaQuery", resource);

@id("quota-system") @priority("10") @quota("memBytes=1073741824,frames=4096,spawns=256,spawnDepth=8,mailboxDepth=4096")
permit(principal, action == Action::"QuotaQuery", resource) when { principal.labels.contains("system") };

@id("sched-default") @priority("0") @nice("0") @hints("batch")
permit(principal, action == Action::"SchedQuery", resource);

@id("sched-interactive") @priority("10") @nice("-5") @hints("interactive")
permit(principal, action == Action::"SchedQuery", resource) when { principal.labels.contains("interactive") };

@id("sched-llm") @priority("5") @hints("llm-bound")
permit(principal, action == Action::"SchedQuery", resource) when { principal.labels.contains("llm") };
`;

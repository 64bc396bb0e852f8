// The kernel's policy hook: the one place where policy (Cedar, in a service or
// an engine the node plugs in) decides sensitive syscalls. The kernel asks; a
// deny becomes EACCES with the deciding policy ids, and is audited.

export interface PolicyPrincipal {
  id: number;
  name: string;
  labels: readonly string[];
  domain: string;
  /** Trust score from behavioural analysis (0..1). */
  trust?: number;
}

export interface PolicyRequest {
  principal: PolicyPrincipal;
  /** The syscall name, e.g. "AgentSpawn", "EventSubscribe". */
  action: string;
  resource: { type: string; id: string; attrs?: Record<string, unknown> };
}

export interface PolicyDecision {
  allow: boolean;
  /** Ids of the policies that decided (for EACCES detail and audit). */
  policyIds: string[];
}

export type PolicyHook = (req: PolicyRequest) => PolicyDecision;

/** The default until a policy engine is plugged in: allow (rights and quotas still apply). */
export const allowAll: PolicyHook = () => ({ allow: true, policyIds: [] });

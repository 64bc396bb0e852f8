// Hierarchical per-agent token and cost budgets over clock windows (cgroup style): usage is
// charged to the agent and every ancestor; admission fails with EQUOTA at 100 % of any level.
import { AiosError } from '@aios/abi';
import type { AgentId, KernelEvent, LlmBudget } from '@aios/abi';
import { LLM_BUDGET_WARN_FRACTION } from './params.ts';

export interface LlmClock {
  now(): number;
}

type Resource = 'llmTokens' | 'llmCost';

interface Node {
  parent: AgentId | undefined;
  budget: LlmBudget | undefined;
  windowStart: number;
  tokens: number;
  cost: number;
  /** Estimates of admitted requests not yet settled. */
  reservedTokens: number;
  reservedCost: number;
  warned: Set<Resource>;
  exhausted: Set<Resource>;
}

export interface WindowView {
  tokens: number;
  cost: number;
  startedAt: number;
  resetsAt: number | null;
}

export class BudgetLedger {
  private readonly nodes = new Map<AgentId, Node>();

  constructor(private readonly clock: LlmClock, private readonly emit: (e: KernelEvent) => void) {}

  /** Links an agent under a parent (charges then flow up). EINVAL on a cycle or a limit above the new parent's. */
  setParent(id: AgentId, parent: AgentId | undefined): void {
    if (parent !== undefined) {
      for (let p: AgentId | undefined = parent; p !== undefined; p = this.nodes.get(p)?.parent) {
        if (p === id) throw new AiosError('EINVAL', 'parent would make a cycle', { arg: 'parent', value: parent });
      }
      const n = this.nodes.get(id);
      if (n?.budget !== undefined) this.checkUnderAncestors(parent, n.budget);
    }
    this.node(id).parent = parent;
    if (parent !== undefined) this.node(parent);
  }

  /** Sets (or with undefined clears) an agent's budget; limits may not exceed any ancestor's (EINVAL). A new period starts a fresh window. */
  setBudget(id: AgentId, budget: LlmBudget | undefined): void {
    const n = this.node(id);
    if (budget !== undefined && n.parent !== undefined) this.checkUnderAncestors(n.parent, budget);
    const periodChanged = budget?.periodMs !== n.budget?.periodMs;
    n.budget = budget === undefined ? undefined : { ...budget };
    if (periodChanged) {
      n.windowStart = this.clock.now();
      n.tokens = 0;
      n.cost = 0;
    }
    n.warned.clear();
    n.exhausted.clear();
  }

  parentOf(id: AgentId): AgentId | undefined {
    return this.nodes.get(id)?.parent;
  }

  budgetOf(id: AgentId): LlmBudget | undefined {
    return this.nodes.get(id)?.budget;
  }

  /**
   * Admits a request estimated at (tokens, cost) or throws EQUOTA naming the first level
   * (the agent, then ancestors) whose committed usage (charged + reserved) has reached a limit.
   * On success the estimate is reserved at every level until settle().
   */
  admit(id: AgentId, tokens: number, cost: number): void {
    const chain = this.chain(id);
    for (const [aid, n] of chain) {
      this.roll(n);
      const b = n.budget;
      if (b === undefined) continue;
      if (b.tokens !== undefined && n.tokens + n.reservedTokens >= b.tokens) throw quota('llmTokens', aid, b.tokens, n.tokens, n.reservedTokens);
      if (b.cost !== undefined && n.cost + n.reservedCost >= b.cost) throw quota('llmCost', aid, b.cost, n.cost, n.reservedCost);
    }
    for (const [, n] of chain) {
      n.reservedTokens += tokens;
      n.reservedCost += cost;
    }
  }

  /** Releases the reservation of an admitted request and charges what it really used (0 if it never ran). */
  settle(id: AgentId, reserved: { tokens: number; cost: number }, used: { tokens: number; cost: number }): void {
    for (const [aid, n] of this.chain(id)) {
      this.roll(n);
      n.reservedTokens = Math.max(0, n.reservedTokens - reserved.tokens);
      n.reservedCost = Math.max(0, n.reservedCost - reserved.cost);
      n.tokens += used.tokens;
      n.cost += used.cost;
      const b = n.budget;
      if (b === undefined) continue;
      if (b.tokens !== undefined) this.crossings(aid, n, 'llmTokens', b.tokens, n.tokens);
      if (b.cost !== undefined) this.crossings(aid, n, 'llmCost', b.cost, n.cost);
    }
  }

  window(id: AgentId): WindowView {
    const n = this.node(id);
    this.roll(n);
    const p = n.budget?.periodMs;
    return { tokens: n.tokens, cost: n.cost, startedAt: n.windowStart, resetsAt: p === undefined ? null : n.windowStart + p };
  }

  /** Forgets an agent; its children become roots. Charges already made to ancestors stay. */
  remove(id: AgentId): void {
    this.nodes.delete(id);
    for (const n of this.nodes.values()) if (n.parent === id) n.parent = undefined;
  }

  private crossings(aid: AgentId, n: Node, resource: Resource, limit: number, used: number): void {
    const data = { agentId: aid, resource, limit, used };
    if (used >= limit * LLM_BUDGET_WARN_FRACTION && !n.warned.has(resource)) {
      n.warned.add(resource);
      this.emit({ topic: 'llm.budget.warning', time: this.clock.now(), data });
    }
    if (used >= limit && !n.exhausted.has(resource)) {
      n.exhausted.add(resource);
      this.emit({ topic: 'llm.budget.exhausted', time: this.clock.now(), data });
    }
  }

  /** Starts a new window when the period has ended (whole periods, so windows stay aligned). */
  private roll(n: Node): void {
    const p = n.budget?.periodMs;
    if (p === undefined) return;
    const now = this.clock.now();
    if (now < n.windowStart + p) return;
    n.windowStart += Math.floor((now - n.windowStart) / p) * p;
    n.tokens = 0;
    n.cost = 0;
    n.warned.clear();
    n.exhausted.clear();
  }

  private checkUnderAncestors(from: AgentId, b: LlmBudget): void {
    for (const [aid, n] of this.chain(from)) {
      const pb = n.budget;
      if (pb === undefined) continue;
      if (b.tokens !== undefined && pb.tokens !== undefined && b.tokens > pb.tokens) throw new AiosError('EINVAL', "budget.tokens above an ancestor's limit", { arg: 'budget.tokens', value: b.tokens, limit: pb.tokens, ancestor: aid });
      if (b.cost !== undefined && pb.cost !== undefined && b.cost > pb.cost) throw new AiosError('EINVAL', "budget.cost above an ancestor's limit", { arg: 'budget.cost', value: b.cost, limit: pb.cost, ancestor: aid });
    }
  }

  private chain(id: AgentId): [AgentId, Node][] {
    const out: [AgentId, Node][] = [];
    for (let a: AgentId | undefined = id; a !== undefined; a = this.nodes.get(a)?.parent) out.push([a, this.node(a)]);
    return out;
  }

  private node(id: AgentId): Node {
    let n = this.nodes.get(id);
    if (n === undefined) {
      n = { parent: undefined, budget: undefined, windowStart: this.clock.now(), tokens: 0, cost: 0, reservedTokens: 0, reservedCost: 0, warned: new Set(), exhausted: new Set() };
      this.nodes.set(id, n);
    }
    return n;
  }
}

function quota(resource: Resource, agentId: AgentId, limit: number, used: number, reserved: number): AiosError {
  return new AiosError('EQUOTA', resource === 'llmTokens' ? 'llm token budget exhausted' : 'llm cost budget exhausted', { resource, limit, used, reserved, agentId });
}

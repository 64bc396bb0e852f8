// The planner's journal: plans and steps as records in the storage device's durable key-value face (the node's
// SQLite memory.db in WAL with synchronous=FULL, or its Postgres), under the `planner/` prefix. One record per
// plan (its definition and state) and one per step (state, attempts, output, error), so a step's change writes
// only its own record; a write resolves once durable (the DurableStore contract). Trusts the store's contents as
// its own earlier writes (records that do not parse are skipped and logged).

import type { DurableStore, KvOp, PlanState, PlanStep, StepState, WireError } from '@aios/abi';

export interface StoredPlan {
  id: string;
  goal: string;
  steps: PlanStep[];
  state: PlanState;
  submitter: { agent: number; name: string };
  created: number;
  updated: number;
}

export interface StoredStep {
  state: StepState;
  attempts: number;
  output?: unknown;
  error?: WireError;
  approved?: boolean;
}

export interface PlanStore {
  /** Every plan and its steps' records. */
  load(): Promise<{ plans: StoredPlan[]; steps: Map<string, Map<string, StoredStep>> }>;
  /** Writes (value) or deletes (null) records by key in one transaction. */
  write(records: Map<string, unknown>): Promise<void>;
}

export const PREFIX = 'planner/';
export const planKey = (plan: string): string => `${PREFIX}p/${plan}`;
export const stepKey = (plan: string, step: string): string => `${PREFIX}s/${plan}/${step}`;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A PlanStore over a DurableStore (the storage device through DeviceCall, or a driver in tests). */
export function kvPlanStore(kv: Pick<DurableStore, 'scan' | 'batch'>, log: (...a: unknown[]) => void = () => undefined): PlanStore {
  return {
    async load() {
      const plans: StoredPlan[] = [];
      const steps = new Map<string, Map<string, StoredStep>>();
      for (const e of await kv.scan(PREFIX)) {
        let v: unknown;
        try {
          v = JSON.parse(dec.decode(e.value));
        } catch {
          log(`skipped unreadable record ${e.key}`);
          continue;
        }
        const rest = e.key.slice(PREFIX.length);
        if (rest.startsWith('p/')) plans.push(v as StoredPlan);
        else if (rest.startsWith('s/')) {
          const [plan, ...step] = rest.slice(2).split('/');
          let m = steps.get(plan!);
          if (m === undefined) steps.set(plan!, (m = new Map()));
          m.set(step.join('/'), v as StoredStep);
        }
      }
      plans.sort((a, b) => a.created - b.created);
      return { plans, steps };
    },
    async write(records) {
      const ops: KvOp[] = [];
      for (const [key, value] of records) ops.push(value === null ? { op: 'delete', key } : { op: 'put', key, value: enc.encode(JSON.stringify(value)) });
      if (ops.length > 0) await kv.batch(ops);
    },
  };
}

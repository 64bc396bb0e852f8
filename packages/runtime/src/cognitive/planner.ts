// The planner client for agents: plan(goal), submit(plan), watch(id) and the rest of the PLANNER protocol, over
// the `planner` handle in the agent's namespace (granted by the node), with the one typed client (ipc/client.ts).
// Plans run under the calling agent's identity: the planner asks semantic-ipcd on its behalf, never with more.

import { PLANNER, type Handle, type MadePlan, type PlanJson, type PlanState, type PlanSummary, type PlanView } from '@aios/abi';
import { nsLookup } from '../kernel/stubs.gen.ts';
import { client, type ProtocolClient } from '../ipc/client.ts';

/** The namespace name of the service. */
export const PLANNER_SERVICE = 'planner';
const TERMINAL: readonly PlanState[] = ['done', 'failed', 'cancelled'];

let cached: ProtocolClient<typeof PLANNER> | undefined;

/** The typed planner client (the namespace's `planner`, or `service`). ENOENT when the agent was not granted it. */
export function planner(service?: Handle): ProtocolClient<typeof PLANNER> {
  if (service !== undefined) return client(PLANNER, service);
  cached ??= client(PLANNER, nsLookup(PLANNER_SERVICE));
  return cached;
}

/** Makes a plan from a goal (the model device, else the offline clause splitter); `submit: true` starts it too. */
export function plan(goal: string, opts: { submit?: boolean; service?: Handle } = {}): Promise<MadePlan> {
  return planner(opts.service).call('make', { goal, ...(opts.submit ? { submit: true } : {}) }, { timeoutMs: 185_000 });
}

/** Submits a plan; resolves with its id once it is journaled (EINVAL with the reason: nothing started). */
export async function submit(p: PlanJson, opts: { service?: Handle } = {}): Promise<string> {
  return (await planner(opts.service).call('submit', { plan: p })).id;
}

/** The plan now. */
export function show(id: string, opts: { outputs?: boolean; service?: Handle } = {}): Promise<PlanView> {
  return planner(opts.service).call('show', { planId: id, ...(opts.outputs === false ? { outputs: false } : {}) });
}

/** The caller's plans, newest first. */
export function plans(state?: PlanState, opts: { service?: Handle } = {}): Promise<PlanSummary[]> {
  return planner(opts.service).call('ls', state === undefined ? {} : { state });
}

/** Cancels a plan of the caller's. */
export function cancel(id: string, opts: { service?: Handle } = {}): Promise<PlanView> {
  return planner(opts.service).call('cancel', { planId: id });
}

/**
 * Follows a plan: yields its view on every change (long-polling the planner), and returns after a view whose state
 * is done, failed or cancelled (or when `until` says so). `outputs: false` leaves step outputs out of the views.
 */
export async function* watch(id: string, opts: { outputs?: boolean; until?: (v: PlanView) => boolean; service?: Handle } = {}): AsyncGenerator<PlanView> {
  let since = 0;
  for (;;) {
    const v = await planner(opts.service).call('watch', { planId: id, since, waitMs: 25_000, ...(opts.outputs === false ? { outputs: false } : {}) }, { timeoutMs: 35_000 });
    if (v.version > since) {
      since = v.version;
      yield v;
      if (TERMINAL.includes(v.state) || opts.until?.(v)) return;
    }
  }
}

/** Waits for a plan to finish (done, failed or cancelled) and resolves with its last view. */
export async function wait(id: string, opts: { service?: Handle } = {}): Promise<PlanView> {
  let last: PlanView | undefined;
  for await (const v of watch(id, opts)) last = v;
  return last!;
}

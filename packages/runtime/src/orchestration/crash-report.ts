// Crash reports: one shape for every supervisor in the node (supervise() and initd).
// A report goes to the agent's log and is published as `supervisor.crash`
// (user.<id>.supervisor.crash); the kernel audits every EventPublish with its data,
// so each published report is also an audit record (EventPublish, topic:user.<id>.supervisor.crash).

import { eventPublish, log } from '../kernel/stubs.gen.ts';

/** Who reports: the supervising agent and its restart strategy. */
export interface CrashReporter {
  supervisor: number;
  supervisorName: string;
  strategy: string;
}

/**
 * `kind` is OTP's: 'child_terminated' (with action 'restart' | 'give_up' | 'none'),
 * 'start_error', or 'shutdown' (the supervisor gave up). `publish: false` keeps it in the log only.
 */
export function crashReport(who: CrashReporter, kind: string, data: Record<string, unknown>, publish = true): void {
  const rec = { ...who, kind, ...data };
  log(`supervisor ${kind}: ${JSON.stringify(rec)}`);
  if (!publish) return;
  try {
    eventPublish('supervisor.crash', rec);
  } catch {
    // A report that does not fit the bus is still in the log.
  }
}

// Time, logs, events, scheduling and async results: ClockNow, Log, Sleep,
// SchedYield, EventSubscribe, EventPublish, GetAsyncResult, AsyncWait, PQCOperation.

import { AiosError, PQC_OPS, limits, type PqcOp } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { validatePattern } from '../event/bus.ts';
import { Subscription } from '../objects/subscription.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { argBytes, argInt, argJson, argObject, argString } from './args.ts';

/**
 * One log line from the arguments. Never throws: an argument whose conversion fails (a
 * native agent's proxy or getter that throws, a cyclic object with a throwing toString)
 * is written as `[unprintable]`, since Log has no error to give.
 */
export function formatLogArgs(args: unknown[]): string {
  return args.map(formatLogArg).join(' ');
}

function formatLogArg(x: unknown): string {
  try {
    if (typeof x === 'string') return x;
    if (x instanceof Uint8Array) return `Uint8Array(${x.length})`;
    if (x instanceof Error) return `${x.name}: ${x.message}`;
    try {
      return JSON.stringify(x) ?? String(x);
    } catch {
      return String(x);
    }
  } catch {
    return '[unprintable]';
  }
}

export function sys_log(k: SyscallContext, a: Agent, args: unknown[]): void {
  k.pushLog(a, formatLogArgs(args));
}

export function sys_clockNow(k: SyscallContext): number {
  return k.now();
}

export function sys_sleep(k: SyscallContext, a: Agent, [ms]: unknown[]): Promise<void> {
  const t = argInt(ms, 'ms', 0, limits.MAX_TIMEOUT_MS);
  const { promise, settle } = k.block<void>(a);
  k.ports.timers.setTimer(t, () => settle(true, undefined));
  return promise;
}

export function sys_schedYield(k: SyscallContext, a: Agent): Promise<void> {
  const { promise, settle } = k.block<void>(a, false); // settled at once: nothing piles up
  settle(true, undefined);
  return promise;
}


export function sys_eventSubscribe(k: SyscallContext, a: Agent, [pattern]: unknown[], au: AuditSlot): number {
  validatePattern(pattern);
  if (a.subscriptions >= limits.EVENT_SUBSCRIPTIONS_PER_AGENT_MAX) {
    throw new AiosError('EQUOTA', `at most ${limits.EVENT_SUBSCRIPTIONS_PER_AGENT_MAX} event subscriptions per agent`, { resource: 'subscriptions', limit: limits.EVENT_SUBSCRIPTIONS_PER_AGENT_MAX, used: a.subscriptions });
  }
  k.authorize(a, 'EventSubscribe', { type: 'topic', id: pattern as string });
  const sub = new Subscription(pattern as string, k.ids.sub());
  const enc = new TextEncoder();
  const unsubscribe = k.events.subscribe({
    pattern: sub.pattern,
    dropped: 0,
    offer: (e) => {
      if (!a.alive || a.mailbox.full) return false;
      k.deliver(a, { from: 0, data: enc.encode(JSON.stringify(e)), handles: [], tag: 'event' });
      return true;
    },
  });
  a.subscriptions++;
  let live = true;
  sub.release = () => {
    if (!live) return;
    live = false;
    a.subscriptions--;
    unsubscribe();
  };
  au.label = sub.label;
  return k.insertHandle(a, sub, 1, null);
}

export function sys_eventPublish(k: SyscallContext, a: Agent, [topic, data]: unknown[]): void {
  const t = argString(topic, 'topic', 200);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(t)) throw new AiosError('EINVAL', 'topic must be dot-separated words without wildcards', { arg: 'topic', value: t });
  const d = data === undefined ? {} : argObject(data, 'data')!;
  argJson(d, 'data', limits.IPC_MAX_MESSAGE_BYTES);
  // A published event is a statement an agent makes on the record (a routing decision, a crash
  // report): it is audited with its data.
  if (k.auditRate.admit(a.id, k.now(), 'EventPublish', 'ok')) k.audit.append(k.now(), a.id, 'EventPublish', `topic:user.${a.id}.${t}`, 'ok', { ...d });
  k.events.publish(`user.${a.id}.${t}`, k.now(), { ...d });
}

export function sys_asyncCancel(k: SyscallContext, a: Agent, [ticket]: unknown[]): void {
  k.tickets.cancel(a.id, ticket);
}

export function sys_getAsyncResult(k: SyscallContext, a: Agent, [ticket]: unknown[]): unknown {
  return k.tickets.take(a.id, ticket);
}

export function sys_asyncWait(k: SyscallContext, a: Agent, [ticket, timeoutMs]: unknown[]): Promise<unknown> {
  const t = timeoutMs === undefined ? undefined : argInt(timeoutMs, 'timeoutMs', 0, limits.MAX_TIMEOUT_MS);
  if (!k.tickets.isPending(a.id, ticket)) {
    try {
      return Promise.resolve(k.tickets.take(a.id, ticket));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  const { promise, settle } = k.block<unknown>(a);
  let timer: unknown;
  if (t !== undefined) timer = k.ports.timers.setTimer(t, () => settle(false, new AiosError('ETIMEDOUT', `ticket ${String(ticket)} not ready within ${t} ms`, { ticket, timeoutMs: t })));
  k.tickets.onSettle(a.id, ticket, () => {
    if (timer !== undefined) k.ports.timers.clearTimer(timer);
    try {
      settle(true, k.tickets.take(a.id, ticket));
    } catch (e) {
      settle(false, e);
    }
  });
  return promise;
}

const PQC_ARGS: Record<PqcOp, Record<string, number | 'msg'>> = {
  'mlkem768.keygen': {},
  'mlkem768.encaps': { publicKey: 1184 },
  'mlkem768.decaps': { cipherText: 1088, secretKey: 2400 },
  'mldsa65.keygen': {},
  'mldsa65.sign': { secretKey: 4032, message: 'msg' },
  'mldsa65.verify': { publicKey: 1952, message: 'msg', signature: 3309 },
};

/** Short names callers use for the same arguments (pk, sk, msg, sig, ct). */
const PQC_ALIASES: Record<string, string> = { pk: 'publicKey', sk: 'secretKey', msg: 'message', sig: 'signature', ct: 'cipherText', ciphertext: 'cipherText', data: 'message' };

function withAliases(given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...given };
  for (const [alias, name] of Object.entries(PQC_ALIASES)) if (out[name] === undefined && out[alias] !== undefined) out[name] = out[alias];
  return out;
}

export function sys_pqcOperation(k: SyscallContext, a: Agent, [op, args]: unknown[]): number {
  if (typeof op !== 'string' || !(PQC_OPS as readonly string[]).includes(op)) {
    throw new AiosError('ENOSYS', `unknown PQC operation ${String(op)}; known: ${PQC_OPS.join(', ')}`, { arg: 'op', value: typeof op === 'string' ? op : typeof op });
  }
  const spec = PQC_ARGS[op as PqcOp];
  const given = withAliases(argObject(args, 'args') ?? {});
  const clean: Record<string, Uint8Array> = {};
  for (const [name, size] of Object.entries(spec)) {
    const v = argBytes(given[name], `args.${name}`, size === 'msg' ? limits.IPC_MAX_MESSAGE_BYTES : size);
    if (size !== 'msg' && v.length !== size) throw new AiosError('EINVAL', `args.${name} must be ${size} bytes`, { arg: `args.${name}`, length: v.length, expected: size });
    clean[name] = v.slice();
  }
  if (given.seed !== undefined) {
    const want = op === 'mlkem768.keygen' ? 64 : op === 'mldsa65.keygen' ? 32 : 0;
    const s = argBytes(given.seed, 'args.seed', 64);
    if (want === 0 || s.length !== want) throw new AiosError('EINVAL', `args.seed is only for keygen and must be ${want || 'absent'} bytes`, { arg: 'args.seed' });
    clean.seed = s.slice();
  }
  const ticket = k.tickets.create(a.id, 'PQCOperation');
  k.ports.offload.pqc(op as PqcOp, clean).then(
    (out) => k.tickets.settle(ticket, { kind: 'done', value: out }),
    (err: unknown) => k.tickets.settle(ticket, { kind: 'failed', error: new AiosError('EINVAL', `PQC operation failed: ${(err as Error).message}`) }),
  );
  return ticket;
}

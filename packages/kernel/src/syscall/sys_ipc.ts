// IPC syscalls: IPCSend, IPCRecv, IPCWait. Sends never block; the sender is
// stamped by the kernel; transferred handles are derived with narrowed rights.

import { AiosError, Rights, limits, type Message } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { CapNode } from '../cap/captree.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { argBytes, argInt, argObject, argString } from './args.ts';
import { NO_HANDLES, copyPayload } from '../ipc/mailbox.ts';
import { receiveSpan } from '../obs/trace.ts';

/** Tags the kernel uses for its own notices; agents cannot send them. */
const KERNEL_TAGS = new Set(['exit', 'trap', 'event']);

export function sys_ipcSend(k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot): void {
  const node = k.lookup(a, args[0], 'agent', Rights.SEND, au);
  const bytes = argBytes(args[1], 'data', limits.IPC_MAX_MESSAGE_BYTES);
  const target = node.object as Agent;
  au.label = target.label;
  const opts = args[2];
  if (opts !== undefined && opts !== null) return sendWithOptions(k, a, target, bytes, argObject(opts, 'opts')!);
  checkDeliverable(k, target);
  // Rate tokens are taken last, once the send is known to be valid: a refused send costs nothing.
  a.ipcRate?.take(k.now(), bytes.length);
  k.deliverData(target, a.id, bytes);
}

/**
 * IPCSendMany: plain messages to one agent, as that many IPCSend calls (one lookup, one audit record naming the count).
 * Every size is checked before any message is queued; then they are queued in order until one does not fit (a full
 * mailbox, the rate quota): the count queued, or that error when it is the first.
 */
export function sys_ipcSendMany(k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot): number {
  const node = k.lookup(a, args[0], 'agent', Rights.SEND, au);
  const list = args[1];
  if (!Array.isArray(list)) throw new AiosError('EINVAL', 'data must be a list of Uint8Arrays', { arg: 'data' });
  const n = list.length;
  if (n > limits.IPC_BATCH_MAX_MESSAGES) throw new AiosError('EMSGSIZE', `at most ${limits.IPC_BATCH_MAX_MESSAGES} messages per IPCSendMany`, { arg: 'data', length: n, max: limits.IPC_BATCH_MAX_MESSAGES });
  // each element is read once (a native caller's list may have getters): what was checked is what is sent
  const items: Uint8Array[] = new Array<Uint8Array>(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += (items[i] = argBytes(list[i], `data[${i}]`, limits.IPC_MAX_MESSAGE_BYTES)).length;
  if (total > limits.IPC_BATCH_MAX_BYTES) throw new AiosError('EMSGSIZE', `IPCSendMany carries at most ${limits.IPC_BATCH_MAX_BYTES} bytes in all`, { arg: 'data', length: total, max: limits.IPC_BATCH_MAX_BYTES });
  const target = node.object as Agent;
  au.label = n === 1 ? target.label : `${target.label} x${n}`;
  if (n === 0) return 0;
  let sent = 0;
  try {
    for (; sent < n; sent++) {
      const bytes = items[sent]!;
      checkDeliverable(k, target);
      a.ipcRate?.take(k.now(), bytes.length);
      k.deliverData(target, a.id, bytes);
    }
  } catch (e) {
    if (sent === 0) throw e;
    au.label = `${target.label} x${sent}`;
  }
  return sent;
}

function checkDeliverable(k: SyscallContext, target: Agent): void {
  if (!target.alive) throw new AiosError('ESRCH', `agent ${target.id} has exited`, { agent: target.id });
  if (target.remote !== null && !target.remote.canSend()) throw new AiosError('EAGAIN', `no credit on the link to ${target.remote.address} (its mailbox is full or messages are in flight)`, { agent: target.remote.address });
  if (target !== k.root && target.ipcWaiters.length === 0 && target.mailbox.full) {
    throw new AiosError('EAGAIN', `mailbox of agent ${target.id} is full`, { agent: target.id, depth: target.mailbox.depth });
  }
}

/** The slower path: a tag and handles to transfer (each derived for the receiver with narrowed rights). */
function sendWithOptions(k: SyscallContext, a: Agent, target: Agent, bytes: Uint8Array, o: Record<string, unknown>): void {
  let tag = 'data';
  if (o.tag !== undefined) {
    tag = argString(o.tag, 'opts.tag', 64);
    if (KERNEL_TAGS.has(tag)) throw new AiosError('EINVAL', `tag '${tag}' is reserved for kernel notices`, { arg: 'opts.tag', value: tag });
  }
  const transfers: Array<{ node: CapNode; rights: number }> = [];
  if (o.handles !== undefined) {
    if (!Array.isArray(o.handles)) throw new AiosError('EINVAL', 'opts.handles must be a list of handles', { arg: 'opts.handles' });
    if (o.handles.length > limits.IPC_MAX_HANDLES_PER_MESSAGE) throw new AiosError('EMSGSIZE', `at most ${limits.IPC_MAX_HANDLES_PER_MESSAGE} handles per message`, { arg: 'opts.handles', length: o.handles.length, max: limits.IPC_MAX_HANDLES_PER_MESSAGE });
    const rightsList = o.handleRights;
    if (rightsList !== undefined && (!Array.isArray(rightsList) || rightsList.length !== o.handles.length)) {
      throw new AiosError('EINVAL', 'opts.handleRights must be a list as long as opts.handles', { arg: 'opts.handleRights' });
    }
    o.handles.forEach((h, i) => {
      const hn = a.handles.lookup(h, null, Rights.TRANSFER, k.clockFn);
      const want = rightsList === undefined ? hn.rights : argInt((rightsList as unknown[])[i], `opts.handleRights[${i}]`, 0, 0x7fffffff);
      if ((want & ~hn.rights) !== 0) throw new AiosError('EPERM', `handle ${String(h)} cannot be sent with more rights than it has`, { handle: h, held: hn.rights, wanted: want });
      transfers.push({ node: hn, rights: want });
    });
  }
  if (transfers.length > 0 && target.remote !== null) checkRemoteTransfers(k, target, transfers);
  if (transfers.length > 0) k.authorize(a, 'HandleTransfer', { type: 'agent', id: String(target.id), attrs: { handles: transfers.length, name: target.name } });
  checkDeliverable(k, target);
  a.ipcRate?.take(k.now(), bytes.length);
  if (target.remote !== null && transfers.length > 0) {
    // To another node: the port derives each grant under the sender's handle and signs it (ipc/remote.ts).
    const msg: Message = { from: a.id, data: copyPayload(bytes), handles: NO_HANDLES, tag, trace: k.sendSpan?.traceparent };
    target.remote.send(msg, transfers.map((t) => ({ parent: t.node, rights: t.rights })));
    return;
  }
  // All or nothing: if a handle cannot be inserted (table full) or delivery fails (journal), the
  // receiver keeps none of the handles already inserted.
  const handles: number[] = [];
  try {
    for (const t of transfers) handles.push(k.insertHandle(target, t.node.object, t.rights, t.node, t.node.expires));
    // `trace` is always present (undefined when untraced): one object shape for traced and untraced messages, so the
    // delivery path's property accesses stay monomorphic whether tracing is on or off.
    const msg: Message = { from: a.id, data: copyPayload(bytes), handles: handles.length === 0 ? NO_HANDLES : handles, tag, trace: k.sendSpan?.traceparent };
    k.deliver(target, msg);
  } catch (e) {
    for (const h of handles) {
      try {
        k.closeHandle(target, h);
      } catch {
        /* already gone */
      }
    }
    throw e;
  }
}

/** Handles to another node travel as capability tokens: only handles to local agents, and only when the link carries them. */
function checkRemoteTransfers(k: SyscallContext, target: Agent, transfers: Array<{ node: CapNode; rights: number }>): void {
  const port = target.remote!;
  if (port.carriesHandles !== true) throw new AiosError('ENOSYS', `this node cannot send handles to ${port.address} (no token key)`, { agent: port.address });
  // Each handle to another node costs a hybrid signature on the kernel thread: a bound keeps one send from holding the loop.
  if (transfers.length > limits.REMOTE_HANDLES_PER_MESSAGE_MAX) {
    throw new AiosError('EMSGSIZE', `at most ${limits.REMOTE_HANDLES_PER_MESSAGE_MAX} handles per message to another node`, { arg: 'opts.handles', length: transfers.length, max: limits.REMOTE_HANDLES_PER_MESSAGE_MAX, agent: port.address });
  }
  for (const t of transfers) {
    const o = t.node.object as Agent;
    if (t.node.type !== 'agent' || o.remote !== null || o === k.root) {
      throw new AiosError('ENOSYS', `only handles to agents of this node can be sent to another node (${t.node.label}${o.remote ? ` is ${o.remote.address}` : ''})`, { agent: port.address, object: t.node.label });
    }
  }
}

/**
 * A durable agent has handled what it received before: acknowledge those messages now. Not inside a handler
 * activation (main or onMessage) of an agent with onMessage: its runtime may set a received message aside
 * (a selective receive waiting for a reply) and deliver it to onMessage before the activation ends, so its
 * receipts are acknowledged when that activation settles (agent/runner.ts runHandler), and never after a trap.
 */
function ackReceived(k: SyscallContext, a: Agent): void {
  if (a.hasOnMessage && (a.inFlight !== null || !a.mainDone)) return;
  k.ackReceipts(a);
}

function noteReceived(k: SyscallContext, a: Agent, m: Message): Message {
  if (k.tracer !== null && m.trace !== undefined) receiveSpan(k.tracer, a, m);
  if (a.durableKey !== null) {
    const seq = k.msgSeq.get(m);
    if (seq !== undefined) {
      k.msgSeq.delete(m);
      a.unacked.push(seq);
    }
  }
  return m;
}

export function sys_ipcRecv(k: SyscallContext, a: Agent): Message {
  ackReceived(k, a);
  const m = a.mailbox.shift();
  if (m === undefined) throw new AiosError('EAGAIN', 'mailbox is empty');
  return noteReceived(k, a, m);
}

/** IPCRecvMany: up to max of the oldest messages, as that many IPCRecv calls; EAGAIN when the mailbox is empty. */
export function sys_ipcRecvMany(k: SyscallContext, a: Agent, [max]: unknown[]): Message[] {
  const most = max === undefined ? limits.IPC_BATCH_MAX_MESSAGES : argInt(max, 'max', 1, limits.IPC_BATCH_MAX_MESSAGES);
  ackReceived(k, a);
  const first = a.mailbox.shift();
  if (first === undefined) throw new AiosError('EAGAIN', 'mailbox is empty');
  const out = [noteReceived(k, a, first)];
  while (out.length < most) {
    const m = a.mailbox.shift();
    if (m === undefined) break;
    out.push(noteReceived(k, a, m));
  }
  return out;
}

export function sys_ipcWait(k: SyscallContext, a: Agent, [timeoutMs]: unknown[]): Promise<Message> {
  const t = timeoutMs === undefined ? undefined : argInt(timeoutMs, 'timeoutMs', 0, limits.MAX_TIMEOUT_MS);
  ackReceived(k, a);
  const m = a.mailbox.shift();
  if (m !== undefined) return Promise.resolve(noteReceived(k, a, m));
  if (t === 0) return Promise.reject(new AiosError('ETIMEDOUT', 'no message'));
  const { promise, settle: settleRaw } = k.block<Message>(a);
  const settle = (ok: boolean, v: unknown): void => settleRaw(ok, ok ? noteReceived(k, a, v as Message) : v);
  const waiter = {
    settle,
    timer: undefined as unknown,
  };
  if (t !== undefined) {
    waiter.timer = k.ports.timers.setTimer(t, () => {
      const i = a.ipcWaiters.indexOf(waiter);
      if (i >= 0) a.ipcWaiters.splice(i, 1);
      settle(false, new AiosError('ETIMEDOUT', `no message within ${t} ms`, { timeoutMs: t }));
    });
  }
  a.ipcWaiters.push(waiter);
  return promise;
}

// IPC syscalls: IPCSend, IPCRecv, IPCWait. Sends never block; the sender is
// stamped by the kernel; transferred handles are derived with narrowed rights.

import { AiosError, Rights, limits, type Message } from '@aios/abi';
import type { Agent } from '../agent/agent.ts';
import type { Kernel } from '../kernel.ts';
import { argBytes, argInt, argObject, argString } from './args.ts';

/** Tags the kernel uses for its own notices; agents cannot send them. */
const KERNEL_TAGS = new Set(['exit', 'trap', 'event']);

export function sys_ipcSend(k: Kernel, a: Agent, [to, data, opts]: unknown[]): void {
  const node = k.lookup(a, to, 'agent', Rights.SEND);
  const bytes = argBytes(data, 'data', limits.IPC_MAX_MESSAGE_BYTES);
  const target = node.object as Agent;
  const o = argObject(opts, 'opts');
  let tag = 'data';
  if (o?.tag !== undefined) {
    tag = argString(o.tag, 'opts.tag', 64);
    if (KERNEL_TAGS.has(tag)) throw new AiosError('EINVAL', `tag '${tag}' is reserved for kernel notices`, { arg: 'opts.tag', value: tag });
  }
  const transfers: Array<{ node: ReturnType<Kernel['lookup']>; rights: number }> = [];
  if (o?.handles !== undefined) {
    if (!Array.isArray(o.handles)) throw new AiosError('EINVAL', 'opts.handles must be a list of handles', { arg: 'opts.handles' });
    if (o.handles.length > limits.IPC_MAX_HANDLES_PER_MESSAGE) throw new AiosError('EMSGSIZE', `at most ${limits.IPC_MAX_HANDLES_PER_MESSAGE} handles per message`, { arg: 'opts.handles', length: o.handles.length, max: limits.IPC_MAX_HANDLES_PER_MESSAGE });
    const rightsList = o.handleRights === undefined ? undefined : o.handleRights;
    if (rightsList !== undefined && (!Array.isArray(rightsList) || rightsList.length !== o.handles.length)) {
      throw new AiosError('EINVAL', 'opts.handleRights must be a list as long as opts.handles', { arg: 'opts.handleRights' });
    }
    o.handles.forEach((h, i) => {
      const hn = a.handles.lookup(h, null, Rights.TRANSFER, k.now());
      const want = rightsList === undefined ? hn.rights : argInt(rightsList[i], `opts.handleRights[${i}]`, 0, 0x7fffffff);
      if ((want & ~hn.rights) !== 0) throw new AiosError('EPERM', `handle ${String(h)} cannot be sent with more rights than it has`, { handle: h, held: hn.rights, wanted: want });
      transfers.push({ node: hn, rights: want });
    });
  }
  k.objectLabel = target.label;
  if (transfers.length > 0) k.authorize(a, 'HandleTransfer', { type: 'agent', id: String(target.id), attrs: { handles: transfers.length, name: target.name } });
  if (!target.alive) throw new AiosError('ESRCH', `agent ${target.id} has exited`, { agent: target.id });
  if (target !== k.root && target.ipcWaiters.length === 0 && target.mailbox.full) {
    throw new AiosError('EAGAIN', `mailbox of agent ${target.id} is full`, { agent: target.id, depth: target.mailbox.depth });
  }
  const handles = transfers.map((t) => k.insertHandle(target, t.node.object, t.rights, t.node, t.node.expires));
  const msg: Message = { from: a.id, data: bytes.slice(), handles, tag };
  k.deliver(target, msg);
}

export function sys_ipcRecv(_k: Kernel, a: Agent): Message {
  const m = a.mailbox.shift();
  if (m === undefined) throw new AiosError('EAGAIN', 'mailbox is empty');
  return m;
}

export function sys_ipcWait(k: Kernel, a: Agent, [timeoutMs]: unknown[]): Promise<Message> {
  const t = timeoutMs === undefined ? undefined : argInt(timeoutMs, 'timeoutMs', 0, limits.MAX_TIMEOUT_MS);
  const m = a.mailbox.shift();
  if (m !== undefined) return Promise.resolve(m);
  if (t === 0) return Promise.reject(new AiosError('ETIMEDOUT', 'no message'));
  const { promise, settle } = k.block<Message>(a);
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

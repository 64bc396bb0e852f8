// Message delivery and the durable journal: a message goes to a waiting IPCWait first, else to the
// mailbox (and the pump queues an onMessage activation); a durable agent's messages are journaled before
// delivery and acknowledged once handled, so they come back after a crash. Messages to the root go to the host.

import { AiosError, limits, type Message, type TraceSpan, type TracerPort } from '@aios/abi';
import { receiveSpan } from '../obs/trace.ts';
import type { Agent } from '../objects/agent.ts';
import { loadMessage, storeMessage, type StoredMessage } from '../agent/lifecycle.ts';
import type { KernelPorts } from '../ports.ts';
import { NO_HANDLES, copyPayload } from './mailbox.ts';

/** What delivery needs from the kernel. */
export interface DeliveryDeps {
  readonly ports: KernelPorts;
  readonly root: Agent;
  /** Queues an activation of the agent. */
  wake(a: Agent, activation: () => void): void;
  /** Tracks an onMessage handler's promise (ack, next message, or trap). */
  runHandler(a: Agent, p: Promise<unknown>, isMain: boolean): void;
  /** Tracing (null: off): the port, and the span of the traced syscall sending right now. */
  readonly tracer: TracerPort | null;
  readonly sendSpan: TraceSpan | null;
}

export class Delivery {
  /** Messages addressed to the root agent (the host), for the node to read. */
  readonly rootInbox: Message[] = [];
  /** Listeners of messages sent to the root (the host's request/reply). */
  readonly rootListeners = new Set<(msg: Message) => void>();
  /** Journal seq of each message a durable agent holds (present until acknowledged). */
  readonly msgSeq = new WeakMap<Message, number>();

  constructor(private readonly deps: DeliveryDeps) {}

  /** Hands a message to an agent: a waiting IPCWait first, else the mailbox (and the message pump). EIO when the journal write fails. */
  deliver(to: Agent, msg: Message, notice = false): void {
    if (to.remote !== null) {
      // An agent on another node (ipc/remote.ts): the link carries it; kernel notices stay local.
      if (!notice) to.remote.send(msg);
      return;
    }
    if (to === this.deps.root) {
      for (const l of this.rootListeners) l(msg);
      if (this.rootInbox.length < limits.MAILBOX_MAX_DEPTH) this.rootInbox.push(msg);
      return;
    }
    if (to.durableKey !== null && this.deps.ports.journal && !this.msgSeq.has(msg)) this.journalMessage(to, msg);
    const w = to.ipcWaiters.shift();
    if (w !== undefined) {
      if (w.timer !== undefined) this.deps.ports.timers.clearTimer(w.timer);
      w.settle(true, msg);
      return;
    }
    if (notice) to.pushNotice(msg);
    else to.mailbox.push(msg);
    this.pump(to);
  }

  /**
   * deliver() of a plain data message (tag 'data', no handles) from an agent: the bytes are
   * copied now; a message waiting in a mailbox stays numbers until the receiver takes it.
   */
  deliverData(to: Agent, from: number, bytes: Uint8Array): void {
    const span = this.deps.sendSpan;
    if (span !== null) {
      // A traced send: the message carries the span's context, so it becomes a whole message now.
      this.deliver(to, { from, data: copyPayload(bytes), handles: NO_HANDLES, tag: 'data', trace: span.traceparent });
      return;
    }
    if (to === this.deps.root || to.remote !== null || to.durableKey !== null || to.ipcWaiters.length > 0) {
      this.deliver(to, { from, data: copyPayload(bytes), handles: NO_HANDLES, tag: 'data' });
      return;
    }
    to.mailbox.pushData(from, bytes);
    this.pump(to);
  }

  /** Writes a message for a durable agent to the journal; the send fails (EIO) if it cannot. */
  private journalMessage(to: Agent, msg: Message): void {
    const rec = JSON.stringify(storeMessage(msg));
    let seq: number;
    try {
      seq = this.deps.ports.journal!.appendMessage(to.durableKey!, rec);
    } catch (e) {
      throw new AiosError('EIO', `journal write failed: ${(e as Error).message}`, { agent: to.id });
    }
    this.msgSeq.set(msg, seq);
  }

  /** Acknowledges a durable agent's message: handled, so it will not come back after a crash. */
  ack(a: Agent, msg: Message | null): void {
    if (msg === null || a.durableKey === null) return;
    const seq = this.msgSeq.get(msg);
    if (seq === undefined) return;
    this.msgSeq.delete(msg);
    this.deps.ports.journal?.ackMessage(a.durableKey, seq);
  }

  /** Acknowledges every message a durable agent took with IPCRecv/IPCWait and has not acknowledged yet. */
  ackReceipts(a: Agent): void {
    if (a.durableKey === null || a.unacked.length === 0) return;
    for (const seq of a.unacked.splice(0)) this.deps.ports.journal?.ackMessage(a.durableKey, seq);
  }

  /** Marks a running agent durable under a journal key (the host saved its record first). */
  makeDurable(a: Agent, key: string): void {
    a.durableKey = key;
    for (const m of a.mailbox.drain()) {
      if (this.deps.ports.journal && !this.msgSeq.has(m)) this.journalMessage(a, m);
      a.mailbox.push(m);
    }
  }

  /** Puts journaled messages back in a recovered agent's mailbox, in order, without journaling them again. */
  redeliver(a: Agent, items: Array<{ seq: number; message: string }>): void {
    for (const { seq, message } of items) {
      const msg = loadMessage(JSON.parse(message) as StoredMessage);
      this.msgSeq.set(msg, seq);
      a.mailbox.push(msg);
    }
    this.pump(a);
  }

  /** Queues one onMessage activation when the agent is idle and has mail. Messages are handled one at a time. */
  pump(a: Agent): void {
    if (!a.hasOnMessage || !a.mainDone || a.busy || a.hold > 0 || a.idleWaiters.length > 0 || a.pumpQueued || a.mailbox.length === 0 || !a.alive || a.state === 'suspended') return;
    a.pumpQueued = true;
    this.deps.wake(a, () => {
      a.pumpQueued = false;
      const inst = a.instance;
      const msg = a.mailbox.shift();
      if (inst === null || msg === undefined) return;
      if (this.deps.tracer !== null && msg.trace !== undefined) receiveSpan(this.deps.tracer, a, msg);
      a.busy = true;
      a.inFlight = msg;
      this.deps.runHandler(a, inst.dispatch('message', msg), false);
    });
  }
}

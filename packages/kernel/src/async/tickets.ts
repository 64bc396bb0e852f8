// Async tickets: the handle-like numbers AgentSpawn and PQCOperation return.
// A ticket belongs to the agent that started the operation; its result is taken once.

import { AiosError, limits } from '@aios/abi';

type TicketState =
  | { kind: 'pending' }
  | { kind: 'done'; value: unknown }
  | { kind: 'failed'; error: unknown };

interface TicketEntry {
  owner: number;
  op: string;
  state: TicketState;
  listeners: Array<() => void>;
}

export class TicketTable {
  private readonly tickets = new Map<number, TicketEntry>();
  private readonly perOwner = new Map<number, number>();
  private next = 1;

  create(owner: number, op: string): number {
    const n = this.perOwner.get(owner) ?? 0;
    if (n >= limits.TICKETS_PER_AGENT_MAX) throw new AiosError('EAGAIN', 'too many outstanding async operations', { limit: limits.TICKETS_PER_AGENT_MAX });
    this.perOwner.set(owner, n + 1);
    const t = this.next++;
    this.tickets.set(t, { owner, op, state: { kind: 'pending' }, listeners: [] });
    return t;
  }

  private entry(owner: number, ticket: unknown): TicketEntry {
    const e = typeof ticket === 'number' ? this.tickets.get(ticket) : undefined;
    if (e === undefined || e.owner !== owner) throw new AiosError('EINVAL', `unknown ticket ${String(ticket)}`, { arg: 'ticket', value: ticket });
    return e;
  }

  settle(ticket: number, state: TicketState): void {
    const e = this.tickets.get(ticket);
    if (e === undefined || e.state.kind !== 'pending') return;
    e.state = state;
    const ls = e.listeners;
    e.listeners = [];
    for (const l of ls) l();
  }

  isPending(owner: number, ticket: unknown): boolean {
    return this.entry(owner, ticket).state.kind === 'pending';
  }

  /** Calls fn once the ticket settles (at once if it has). */
  onSettle(owner: number, ticket: unknown, fn: () => void): void {
    const e = this.entry(owner, ticket);
    if (e.state.kind !== 'pending') fn();
    else e.listeners.push(fn);
  }

  /** Takes the result: returns the value, throws the error, or EAGAIN while pending. */
  take(owner: number, ticket: unknown): unknown {
    const e = this.entry(owner, ticket);
    if (e.state.kind === 'pending') throw new AiosError('EAGAIN', `ticket ${String(ticket)} is not ready yet`, { ticket });
    this.tickets.delete(ticket as number);
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 1) - 1);
    if (e.state.kind === 'failed') throw e.state.error;
    return e.state.value;
  }

  /** Cancels a pending ticket: its result becomes ECANCELED; `onCancel` hooks (e.g. abandon a spawn) run. */
  cancel(owner: number, ticket: unknown): void {
    const e = this.entry(owner, ticket);
    if (e.state.kind !== 'pending') return;
    this.settle(ticket as number, { kind: 'failed', error: new AiosError('ECANCELED', `ticket ${String(ticket)} was canceled`, { ticket }) });
  }

  /** Drops every ticket of a dead agent. */
  dropOwner(owner: number): void {
    for (const [t, e] of this.tickets) if (e.owner === owner) this.tickets.delete(t);
    this.perOwner.delete(owner);
  }
}

// An in-memory JournalPort for the fuzz test: what a durable agent's sends are journaled to.
// A write that returns is "stable" for the test's purpose (the node's real journal is SQLite).

import type { JournalPort } from '@aios/abi';

export class MemoryJournal implements JournalPort {
  readonly agents = new Map<string, string>();
  readonly messages = new Map<string, Map<number, string>>();
  private seq = 0;

  saveAgent(key: string, record: string): void {
    this.agents.set(key, record);
  }
  removeAgent(key: string): void {
    this.agents.delete(key);
    this.messages.delete(key);
  }
  loadAgents(): Array<{ key: string; record: string }> {
    return [...this.agents].map(([key, record]) => ({ key, record }));
  }
  appendMessage(key: string, message: string): number {
    const m = this.messages.get(key) ?? new Map<number, string>();
    this.messages.set(key, m);
    m.set(++this.seq, message);
    return this.seq;
  }
  ackMessage(key: string, seq: number): void {
    this.messages.get(key)?.delete(seq);
  }
  pendingMessages(key: string): Array<{ seq: number; message: string }> {
    return [...(this.messages.get(key) ?? [])].map(([seq, message]) => ({ seq, message }));
  }
}

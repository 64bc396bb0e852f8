// A bounded FIFO mailbox. Sends never block: a full mailbox refuses (EAGAIN).
// Kernel notices (exit, trap) bypass the bound so supervision never loses them.

import type { Message } from '@aios/abi';

export class Mailbox {
  private buf: Message[] = [];
  private head = 0;
  constructor(public depth: number) {}

  get length(): number {
    return this.buf.length - this.head;
  }

  get full(): boolean {
    return this.length >= this.depth;
  }

  push(msg: Message): void {
    this.buf.push(msg);
  }

  shift(): Message | undefined {
    if (this.head >= this.buf.length) return undefined;
    const m = this.buf[this.head]!;
    this.buf[this.head] = undefined as unknown as Message;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
    return m;
  }

  drain(): Message[] {
    const out = this.buf.slice(this.head);
    this.buf = [];
    this.head = 0;
    return out;
  }
}

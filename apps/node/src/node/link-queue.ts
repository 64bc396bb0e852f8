// The outbound priority queue of one link (node -> node). Under contention (the link is not ready, or the
// transport refuses a publish) messages wait here, and the next one out is the head of the sender with the
// highest trust: trust is read when the message leaves (the agent's behaviour trust in [0, 1], so a sender that
// turns anomalous falls behind), ties go round-robin by sender. Each sender keeps its own FIFO, so per-sender
// order holds whatever the priorities. A quarantined sender's messages are dropped (counted) when they reach
// the head. Bounded: past `max` queued messages a push is refused (the caller's credit already limits it).

export interface LinkItem<T> {
  sender: string;
  item: T;
}

export class LinkQueue<T> {
  private readonly bySender = new Map<string, T[]>();
  private readonly order: string[] = [];
  private size = 0;
  dropped = 0;

  /** `trust(sender)`: a number (higher first) or null when the sender is quarantined (its traffic is dropped). */
  constructor(private readonly trust: (sender: string) => number | null, private readonly max = 4096, private readonly onDrop?: (item: T) => void) {}

  get length(): number {
    return this.size;
  }

  push(sender: string, item: T): boolean {
    if (this.size >= this.max) return false;
    let q = this.bySender.get(sender);
    if (q === undefined) {
      q = [];
      this.bySender.set(sender, q);
      this.order.push(sender);
    }
    q.push(item);
    this.size++;
    return true;
  }

  /** The next message to send (highest trust first, round-robin among equals), without removing it. */
  peek(): LinkItem<T> | null {
    for (;;) {
      let best: string | null = null;
      let bestTrust = -Infinity;
      for (const s of this.order) {
        const t = this.trust(s);
        if (t === null) {
          this.dropSender(s);
          best = null;
          break;
        }
        if (t > bestTrust) {
          best = s;
          bestTrust = t;
        }
      }
      if (best === null && this.order.length > 0) continue; // a quarantined sender was dropped: look again
      if (best === null) return null;
      return { sender: best, item: this.bySender.get(best)![0]! };
    }
  }

  /** Removes the message peek() returned; that sender goes to the back of its round-robin turn. */
  shift(sender: string): void {
    const q = this.bySender.get(sender);
    if (q === undefined || q.length === 0) return;
    q.shift();
    this.size--;
    const i = this.order.indexOf(sender);
    this.order.splice(i, 1);
    if (q.length === 0) this.bySender.delete(sender);
    else this.order.push(sender);
  }

  clear(): void {
    this.bySender.clear();
    this.order.length = 0;
    this.size = 0;
  }

  private dropSender(s: string): void {
    const q = this.bySender.get(s);
    for (const item of q ?? []) this.onDrop?.(item);
    this.dropped += q?.length ?? 0;
    this.size -= q?.length ?? 0;
    this.bySender.delete(s);
    this.order.splice(this.order.indexOf(s), 1);
  }
}

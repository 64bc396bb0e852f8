// The kernel event bus. Topics are dot-separated ("agent.7.exit"); patterns
// match with '*' (one segment) and '>' (the rest, last only). Delivery is
// synchronous and in publish order per topic; a subscriber whose bounded buffer
// is full loses the event and its drop counter grows, so nobody stalls the kernel.

import { AiosError, limits, type KernelEvent } from '@aios/abi';

export interface Subscriber {
  readonly pattern: string;
  /** Offers an event; returns false when the subscriber's buffer is full. */
  offer(event: KernelEvent): boolean;
  dropped: number;
}

export function validatePattern(pattern: unknown): string[] {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 256) {
    throw new AiosError('EINVAL', 'event pattern must be a non-empty string of at most 256 characters', { arg: 'pattern' });
  }
  const parts = pattern.split('.');
  parts.forEach((p, i) => {
    if (p.length === 0 || (p === '>' && i !== parts.length - 1) || (/[*>]/.test(p) && p.length > 1)) {
      throw new AiosError('EINVAL', `bad event pattern "${pattern}"`, { arg: 'pattern', value: pattern });
    }
  });
  return parts;
}

export function topicMatches(parts: readonly string[], topic: readonly string[]): boolean {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '>') return topic.length > i;
    if (i >= topic.length) return false;
    if (p !== '*' && p !== topic[i]) return false;
  }
  return parts.length === topic.length;
}

export class EventBus {
  private readonly subs = new Map<Subscriber, string[]>();
  published = 0;

  subscribe(sub: Subscriber): () => void {
    this.subs.set(sub, validatePattern(sub.pattern));
    return () => this.subs.delete(sub);
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  publish(topic: string, time: number, data: Record<string, unknown>): void {
    this.published++;
    if (this.subs.size === 0) return;
    const parts = topic.split('.');
    const event: KernelEvent = { topic, time, data };
    for (const [sub, pattern] of this.subs) {
      if (!topicMatches(pattern, parts)) continue;
      if (!sub.offer(event)) sub.dropped++;
    }
  }
}

/** A host-side subscriber with a bounded queue, drained by the host (WebSocket, CLI). */
export class BufferedSubscriber implements Subscriber {
  readonly queue: KernelEvent[] = [];
  dropped = 0;
  constructor(readonly pattern: string, private readonly capacity = limits.EVENT_SUBSCRIBER_BUFFER, private readonly wake?: () => void) {}
  offer(event: KernelEvent): boolean {
    if (this.queue.length >= this.capacity) return false;
    this.queue.push(event);
    this.wake?.();
    return true;
  }
}

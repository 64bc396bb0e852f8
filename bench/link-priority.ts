// Benchmark (issue 16): trust-based priority on a contended link. The real outbound queue of a link
// (apps/node/src/node/link-queue.ts) is filled the way a stalled link fills it: one high-trust sender (0.9)
// interleaved with LOW_SENDERS low-trust flooders (0.2) and one quarantined sender (null), then drained one message
// at a time, as the link does when the transport takes messages again. Baseline: one FIFO of the same arrivals
// (what a link without priorities delivers). Measured: how many messages go out before each high-trust message
// (its queueing delay in messages: p50/p99), the share of quarantined traffic sent (goal 0), and the cost of one
// dequeue with few and with many senders against a plain array shift (the queue reads trust at dequeue time, a
// scan over the senders that have messages waiting).
// Run: npx tsx --conditions=aios-source bench/link-priority.ts [--full]
import { performance } from 'node:perf_hooks';
import { LinkQueue } from '../apps/node/src/node/link-queue.ts';
import { configuration } from './lib/config.ts';
import { isFull, round, summarize } from './lib/stats.ts';

const LOW_SENDERS = 10;
const HIGH_MESSAGES = isFull() ? 1_000 : 200;
const LOW_PER_HIGH = 15; // the flood: 15 low-trust messages arrive for every high-trust one
const DEQUEUE_ROUNDS = isFull() ? 200_000 : 40_000;

const trustOf = (s: string): number | null => (s === 'high' ? 0.9 : s === 'quarantined' ? null : 0.2);

/** The arrivals of one contended period, in arrival order. */
function arrivals(): Array<{ sender: string; seq: number }> {
  const out: Array<{ sender: string; seq: number }> = [];
  let low = 0;
  for (let h = 0; h < HIGH_MESSAGES; h++) {
    for (let k = 0; k < LOW_PER_HIGH; k++) out.push({ sender: `low${low++ % LOW_SENDERS}`, seq: out.length });
    if (h % 10 === 0) out.push({ sender: 'quarantined', seq: out.length });
    out.push({ sender: 'high', seq: out.length });
  }
  return out;
}

/** Drain order of the priority queue: for each high-trust message, how many messages left before it. */
function priorityDrain(list: ReturnType<typeof arrivals>): { highWaits: number[]; quarantinedSent: number; sent: number } {
  const q = new LinkQueue<{ sender: string; seq: number }>(trustOf, list.length + 1);
  for (const m of list) q.push(m.sender, m);
  const highWaits: number[] = [];
  let sent = 0;
  let quarantinedSent = 0;
  let highSeen = 0;
  for (let p = q.peek(); p !== null; p = q.peek()) {
    q.shift(p.sender);
    if (p.sender === 'high') highWaits.push(sent - highSeen++);
    if (p.sender === 'quarantined') quarantinedSent++;
    sent++;
  }
  return { highWaits, quarantinedSent, sent };
}

/** The same arrivals through one FIFO. */
function fifoDrain(list: ReturnType<typeof arrivals>): { highWaits: number[]; quarantinedSent: number; sent: number } {
  const highWaits: number[] = [];
  let sent = 0;
  let quarantinedSent = 0;
  let highSeen = 0;
  for (const m of list) {
    if (m.sender === 'high') highWaits.push(sent - highSeen++);
    if (m.sender === 'quarantined') quarantinedSent++;
    sent++;
  }
  return { highWaits, quarantinedSent, sent };
}

/** ns per push+dequeue with `senders` senders waiting, against an array push+shift. */
function dequeueCost(senders: number): { queueNs: number; fifoNs: number } {
  const q = new LinkQueue<number>((s) => (s.charCodeAt(1) % 2 === 0 ? 0.9 : 0.2), 1 << 20);
  for (let i = 0; i < senders; i++) q.push(`s${i}`, i);
  let t0 = performance.now();
  for (let i = 0; i < DEQUEUE_ROUNDS; i++) {
    const p = q.peek()!;
    q.shift(p.sender);
    q.push(p.sender, i);
  }
  const queueNs = ((performance.now() - t0) * 1e6) / DEQUEUE_ROUNDS;
  const fifo: number[] = Array.from({ length: senders }, (_, i) => i);
  t0 = performance.now();
  for (let i = 0; i < DEQUEUE_ROUNDS; i++) fifo.push(fifo.shift()!);
  const fifoNs = ((performance.now() - t0) * 1e6) / DEQUEUE_ROUNDS;
  return { queueNs: round(queueNs, 1), fifoNs: round(fifoNs, 1) };
}

const list = arrivals();
const ours = priorityDrain(list);
const base = fifoDrain(list);
const o = summarize(ours.highWaits);
const b = summarize(base.highWaits);
dequeueCost(LOW_SENDERS + 2); // warm-up: the JIT settles before the measured rounds
const few = dequeueCost(LOW_SENDERS + 2);
const many = dequeueCost(1_000);
console.log(JSON.stringify({
  bench: 'link-priority',
  configuration: configuration({ messages: list.length, highMessages: HIGH_MESSAGES, lowSenders: LOW_SENDERS, lowPerHigh: LOW_PER_HIGH }),
  ours: {
    highTrustWaitMessages: { p50: o.p50, p99: o.p99 },
    quarantinedSent: ours.quarantinedSent,
    dequeueNs: { senders12: few.queueNs, senders1000: many.queueNs },
  },
  baseline: {
    what: 'one FIFO of the same arrivals; array push+shift for the dequeue cost',
    highTrustWaitMessages: { p50: b.p50, p99: b.p99 },
    quarantinedSent: base.quarantinedSent,
    dequeueNs: { senders12: few.fifoNs, senders1000: many.fifoNs },
  },
  ratio: {
    highTrustWaitP99: round(o.p99 / Math.max(1, b.p99), 4),
    dequeueCost12: round(few.queueNs / Math.max(0.1, few.fifoNs), 1),
    dequeueCost1000: round(many.queueNs / Math.max(0.1, many.fifoNs), 1),
  },
  goal: 'high-trust messages leave first under contention (wait far below FIFO); quarantined traffic is never sent',
  met: o.p99 < b.p99 / 10 && ours.quarantinedSent === 0,
}, null, 2));

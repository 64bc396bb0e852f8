// Bounded build queue of the image loader: at most `concurrent` builds run at once; each agent may
// have at most `perAgent` builds running or waiting, and the queue holds at most `queued` waiting
// builds in all; past either bound a build is refused with EAGAIN instead of piling up.
// Waiting builds start in arrival order. Builds of the host and of native (trusted) agents pass no
// agent and are bounded by the queue only.

import { AiosError } from '@aios/abi';

interface Waiting {
  start(): void;
}

export class BuildQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private readonly pending = new Map<number, number>();

  constructor(
    private readonly concurrent: number,
    private readonly perAgent: number,
    private readonly queued: number,
  ) {}

  /** Runs `job` when a slot is free. Rejects with EAGAIN when the agent's or the queue's bound is reached. */
  run<T>(agent: number | undefined, job: () => Promise<T>): Promise<T> {
    const mine = agent === undefined ? 0 : (this.pending.get(agent) ?? 0);
    if (agent !== undefined && mine >= this.perAgent) {
      return Promise.reject(new AiosError('EAGAIN', `too many image builds pending for agent ${agent}`, { agent, limit: this.perAgent }));
    }
    if (this.running >= this.concurrent && this.waiting.length >= this.queued) {
      return Promise.reject(new AiosError('EAGAIN', 'the image build queue is full', { limit: this.queued }));
    }
    if (agent !== undefined) this.pending.set(agent, mine + 1);
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        let p: Promise<T>;
        try {
          p = job();
        } catch (e) {
          p = Promise.reject(e);
        }
        p.then(resolve, reject).finally(() => this.finish(agent));
      };
      if (this.running < this.concurrent) start();
      else this.waiting.push({ start });
    });
  }

  /** Builds running plus waiting (for tests and observability). */
  get size(): number {
    return this.running + this.waiting.length;
  }

  private finish(agent: number | undefined): void {
    this.running--;
    if (agent !== undefined) {
      const n = (this.pending.get(agent) ?? 1) - 1;
      if (n <= 0) this.pending.delete(agent);
      else this.pending.set(agent, n);
    }
    const next = this.waiting.shift();
    if (next !== undefined) next.start();
  }
}

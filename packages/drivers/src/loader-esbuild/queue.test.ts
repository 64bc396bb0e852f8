import { describe, it, expect } from 'vitest';
import { BuildQueue } from './queue.ts';

/** A job that finishes when its release() is called. */
function gated(): { job: () => Promise<string>; release(): void; started: boolean } {
  let release!: () => void;
  const g = {
    started: false,
    job: () => {
      g.started = true;
      return new Promise<string>((r) => (release = () => r('done')));
    },
    release: () => release(),
  };
  return g;
}

describe('loader queue - image builds are bounded', () => {
  it('loader queue - runs at most `concurrent` builds, then starts waiting ones in order', async () => {
    const q = new BuildQueue(2, 10, 10);
    const gs = [gated(), gated(), gated()];
    const ps = gs.map((g) => q.run(undefined, g.job));
    expect(gs.map((g) => g.started)).toEqual([true, true, false]);
    gs[0]!.release();
    await ps[0];
    await new Promise((r) => setImmediate(r));
    expect(gs[2]!.started).toBe(true);
    gs[1]!.release();
    gs[2]!.release();
    expect(await Promise.all(ps)).toEqual(['done', 'done', 'done']);
    expect(q.size).toBe(0);
  });

  it('loader queue - an agent past its pending bound, or a full queue, gets EAGAIN', async () => {
    const q = new BuildQueue(1, 2, 2);
    const a = [gated(), gated()];
    const pa = a.map((g) => q.run(7, g.job));
    await expect(q.run(7, gated().job)).rejects.toMatchObject({ code: 'EAGAIN', detail: { agent: 7, limit: 2 } });
    const other = gated();
    const po = q.run(8, other.job);
    await expect(q.run(9, gated().job)).rejects.toMatchObject({ code: 'EAGAIN', detail: { limit: 2 } });
    const tick = () => new Promise((r) => setImmediate(r));
    a[0]!.release();
    await pa[0];
    await tick();
    a[1]!.release();
    await pa[1];
    await tick();
    other.release();
    expect(await po).toBe('done');
    // the bound is freed when builds finish
    await tick();
    expect(q.size).toBe(0);
    const again = gated();
    const pg = q.run(7, again.job);
    again.release();
    expect(await pg).toBe('done');
  });
});

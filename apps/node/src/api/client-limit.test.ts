// The API's per-client bound on service requests: past it a client is refused at once with EAGAIN, other
// clients are not affected, and a finished request frees its place.
import { describe, it, expect } from 'vitest';
import { createClientLimiter } from './client-limit.ts';

describe('api - per-client service request bound', () => {
  it('api - a client past its bound gets EAGAIN; another client still gets through; places come back', async () => {
    const lim = createClientLimiter(2);
    const gates: Array<() => void> = [];
    const held = () => new Promise<string>((r) => gates.push(() => r('done')));
    const a1 = lim.run('a', held);
    const a2 = lim.run('a', held);
    await expect(lim.run('a', held)).rejects.toMatchObject({ code: 'EAGAIN', detail: { inFlight: 2, max: 2 } });
    const b1 = lim.run('b', held);
    expect(lim.inFlight('b')).toBe(1);
    for (const g of gates.splice(0)) g();
    expect(await Promise.all([a1, a2, b1])).toEqual(['done', 'done', 'done']);
    expect(lim.inFlight('a')).toBe(0);
    await expect(lim.run('a', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(lim.inFlight('a')).toBe(0);
  });
});

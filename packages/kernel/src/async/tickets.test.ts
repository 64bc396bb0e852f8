import { describe, it, expect } from 'vitest';
import { limits } from '@aios/abi';
import { TicketTable } from './tickets.ts';

describe('tickets - per-agent bound', () => {
  it('tickets - outstanding tickets (pending or settled but not taken) are bounded per agent with EAGAIN', () => {
    const t = new TicketTable();
    const mine: number[] = [];
    for (let i = 0; i < limits.TICKETS_PER_AGENT_MAX; i++) mine.push(t.create(7, 'op'));
    t.settle(mine[0]!, { kind: 'done', value: 1 });
    expect(() => t.create(7, 'op')).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
    expect(() => t.create(8, 'op')).not.toThrow(); // another agent has its own bound
    expect(t.take(7, mine[0])).toBe(1); // taking a result frees a slot
    expect(() => t.create(7, 'op')).not.toThrow();
    t.dropOwner(7);
    expect(() => t.create(7, 'op')).not.toThrow();
  });
});

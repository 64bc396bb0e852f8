import { describe, it, expect } from 'vitest';
import { DeadlineAdmission, utilPpm } from './admission.ts';
import { DeadlineReservation } from './policy.ts';

describe('sched - deadline admission', () => {
  it('sched - reservations are admitted up to the limit, then refused with EQUOTA and nothing changes', () => {
    const adm = new DeadlineAdmission(500_000);
    const a = new DeadlineReservation(2, 10);
    const b = new DeadlineReservation(3, 10);
    adm.swap(null, a);
    adm.swap(null, b);
    expect(adm.usedPpm).toBe(500_000);
    let err: unknown;
    try { adm.swap(null, new DeadlineReservation(1, 1000)); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'EQUOTA', detail: { resource: 'cpuReservation', limit: 500_000, used: 500_000, requested: 1_000 } });
    expect(adm.usedPpm).toBe(500_000);
  });
  it('sched - replacing or dropping a reservation releases its share', () => {
    const adm = new DeadlineAdmission(500_000);
    const a = new DeadlineReservation(5, 10);
    adm.swap(null, a);
    const smaller = new DeadlineReservation(1, 10);
    adm.swap(a, smaller);
    expect(adm.usedPpm).toBe(utilPpm(smaller));
    adm.swap(smaller, null);
    expect(adm.usedPpm).toBe(0);
  });
});

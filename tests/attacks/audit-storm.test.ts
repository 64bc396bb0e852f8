// An audit storm: an agent making 100k cheap audited syscalls cannot grow the audit volume without
// bound (flushing evidence out of the ring, filling the disk); its excess is coalesced into summaries.
import { describe, it, expect, afterAll } from 'vitest';
import { limits, type AuditRecord } from '@aios/abi';
import { createTestHost, runAgent } from '@aios/testkit';

const STORM = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'storm', async main(ctx) {
  let n = 0;
  for (let i = 0; i < 100000; i++) { try { k.ipcRecv(); } catch { n++; } }
  ctx.log('refused ' + n);
} });
`;

describe('attacks - audit storm', () => {
  const host = createTestHost({ config: { behavior: false } });
  afterAll(() => host.shutdown());

  it('attacks - 100k audited syscalls of one agent add at most one window of records plus summaries', async () => {
    const seen: AuditRecord[] = [];
    const off = host.kernel.audit.addSink((r) => seen.push(r));
    const before = host.kernel.audit.seq;
    const r = await runAgent(host, STORM, { name: 'storm', domain: 'native' });
    off();
    expect(r.logs).toContain('refused 100000');
    const mine = seen.filter((x) => x.agent === r.id);
    const recv = mine.filter((x) => x.syscall === 'IPCRecv');
    const summaries = mine.filter((x) => x.syscall === 'AuditCoalesced');
    // At most one window's budget of records per window the storm lasted (not 100k), plus summaries.
    const span = mine[mine.length - 1]!.time - mine[0]!.time;
    const windows = Math.floor(span / limits.AUDIT_RATE_WINDOW_MS) + 2;
    expect(recv.length).toBeLessThanOrEqual(windows * limits.AUDIT_RECORDS_PER_AGENT_WINDOW);
    expect(host.kernel.audit.seq - before).toBeLessThan(100_000);
    expect(recv.length).toBeGreaterThanOrEqual(limits.AUDIT_RECORDS_PER_AGENT_WINDOW);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    // Nothing is lost: written plus coalesced is every refused call, and the summary names it.
    const coalesced = summaries.reduce((n, s) => n + (s.detail!.dropped as number), 0);
    expect(recv.length + coalesced).toBe(100_000);
    expect(String(summaries[0]!.detail!.message)).toMatch(new RegExp(`^agent ${r.id}: \\d+ records coalesced \\(\\d+ IPCRecv:EAGAIN\\)`));
    // The exit record (kernel's own) is never limited.
    expect(mine.some((x) => x.syscall === 'AgentExit')).toBe(true);
  });

  it('attacks - a storm of EventPublish is coalesced too', async () => {
    const seen: AuditRecord[] = [];
    const off = host.kernel.audit.addSink((r) => seen.push(r));
    const r = await runAgent(host, STORM.replace("try { k.ipcRecv(); } catch { n++; }", "k.eventPublish('spam', { i }); n++;").replace('100000', '10000'), { name: 'pub', domain: 'native' });
    off();
    expect(r.logs).toContain('refused 10000');
    const mine = seen.filter((x) => x.agent === r.id);
    const pubs = mine.filter((x) => x.syscall === 'EventPublish').length;
    const coalesced = mine.filter((x) => x.syscall === 'AuditCoalesced').reduce((n, s) => n + (s.detail!.dropped as number), 0);
    expect(coalesced).toBeGreaterThan(0);
    expect(pubs + coalesced).toBe(10000);
  });
});

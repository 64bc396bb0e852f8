// The HAL and power states: accelerators are found by their driver's device files; `node suspend`
// checkpoints every agent and stops scheduling them, `resume` brings back the ones it stopped.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHost } from '@aios/testkit';
import { findAccelerators, hardwareInfo } from '@aios/drivers/host-ports';
import { resumeNode, suspendNode, powerState } from '../../apps/node/src/node/power.ts';

describe('io hal', () => {
  it('io hal - accelerators are found by the device files of their drivers', () => {
    const dev = mkdtempSync(join(tmpdir(), 'aios-dev-'));
    writeFileSync(join(dev, 'nvidia0'), '');
    writeFileSync(join(dev, 'nvidiactl'), ''); // a control file, not a GPU
    mkdirSync(join(dev, 'dri'));
    writeFileSync(join(dev, 'dri', 'renderD128'), '');
    writeFileSync(join(dev, 'dri', 'card0'), '');
    expect(findAccelerators(dev)).toEqual([
      { kind: 'gpu', vendor: 'nvidia', device: join(dev, 'nvidia0') },
      { kind: 'gpu', vendor: 'dri', device: join(dev, 'dri', 'renderD128') },
    ]);
    const hw = hardwareInfo('running', dev);
    expect(hw.cpus.count).toBeGreaterThan(0);
    expect(hw.memory.totalBytes).toBeGreaterThan(0);
    expect(hw.power).toBe('running');
    rmSync(dev, { recursive: true, force: true });
  });
});

const TICKER = `
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'ticker', serialize: () => ({ n: 1 }), restore: () => {}, onMessage(m, ctx) { ctx.log('GOT'); } });`;

describe('io power', () => {
  it('io power - suspend checkpoints every agent and stops scheduling; resume brings them back', async () => {
    const host = createTestHost();
    const a = await host.spawn({ source: TICKER }, { domain: 'native' });
    const b = await host.spawn({ source: TICKER }, { domain: 'native' });
    const rep = await suspendNode(host);
    expect(powerState(host)).toBe('suspended');
    expect(rep.suspended.sort()).toEqual([a, b].sort());
    expect(rep.checkpoints.every((c) => typeof c.checkpoint === 'string')).toBe(true);
    host.send(a, 'while suspended');
    await new Promise((r) => setTimeout(r, 30));
    expect(host.logs(a).filter((l) => l === 'GOT')).toEqual([]); // queued, not run
    await expect(suspendNode(host)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(resumeNode(host).resumed.sort()).toEqual([a, b].sort());
    for (let i = 0; i < 100 && !host.logs(a).includes('GOT'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(host.logs(a)).toContain('GOT');
    expect(host.kernel.audit.records((r) => r.syscall === 'NodeSuspend' || r.syscall === 'NodeResume').map((r) => r.syscall)).toEqual(['NodeSuspend', 'NodeResume']);
    host.shutdown();
  });
});

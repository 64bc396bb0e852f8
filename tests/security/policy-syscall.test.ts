// PolicyApply: a privileged agent replaces the node's Cedar policies through the syscall;
// a bad set is refused whole, and the new set decides the very next request.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot } from 'aios';

describe('policy - the PolicyApply syscall', () => {
  it('policy - an admin agent applies a set; a bad set is EINVAL; a forbid takes effect at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aios-pol-'));
    const node = await boot({ dataDir, config: { services: false } });
    const current = readFileSync(join(dataDir, 'policies.cedar'), 'utf8');
    const withForbid = `${current}\n@id("no-frames")\nforbid(principal, action == Action::"FrameAlloc", resource);\n`;
    const id = await node.spawn(`
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'admin', async main(ctx) {
  try { await k.policyApply('this is not cedar'); ctx.log('bad accepted'); } catch (e) { ctx.log('bad ' + e.code); }
  try { k.frameAlloc(1); ctx.log('frame ok'); } catch (e) { ctx.log('frame ' + e.code); }
  const r = await k.policyApply(${JSON.stringify(withForbid)});
  ctx.log('applied ' + typeof r.version);
  try { k.frameAlloc(1); ctx.log('frame ok'); } catch (e) { ctx.log('frame ' + e.code + ' ' + e.detail.policyIds.join(',')); }
} });`, { capabilities: ['admin', 'frame'], domain: 'native' });
    const st = await node.wait(id);
    expect(st.code, node.logs(id).join('\n')).toBe(0);
    expect(node.logs(id)).toEqual(['bad EINVAL', 'frame ok', 'applied number', 'frame EACCES no-frames']);
    expect(readFileSync(join(dataDir, 'policies.cedar'), 'utf8')).toContain('no-frames');
    await node.shutdown();
  });
});

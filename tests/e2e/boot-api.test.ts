// The programmatic API: import { boot } from 'aios'.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { boot } from 'aios';
import { FIXTURES, tempDataDir } from './cli-helpers.ts';

describe('e2e - programmatic boot()', () => {
  it('e2e - boot, spawn, send, ps, kill and shutdown', async () => {
    const node = await boot({ dataDir: tempDataDir(), config: { services: false } });
    const id = await node.spawn(join(FIXTURES, 'echo.ts'), { name: 'echo' });
    node.send(id, 'from the host');
    // On an executor (boot() uses every core) the handler's activation ends on its worker a moment after it logged:
    // wait for the agent to be back in its mailbox, not only for the line.
    const back = (): boolean => node.logs(id).length > 0 && /waiting|ready/.test(node.ps().find((a) => a.id === id)?.state ?? '');
    for (let i = 0; i < 500 && !back(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(node.logs(id)).toEqual(['echo: from the host']);
    expect(node.ps().find((a) => a.id === id)).toMatchObject({ name: 'echo', state: expect.stringMatching(/waiting|ready/) });
    node.kill(id);
    expect(await node.wait(id)).toMatchObject({ code: 137 });
    const src = `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'inline', main(ctx) { ctx.log('inline ran'); } });`;
    const id2 = await node.spawn(src);
    expect((await node.wait(id2)).code).toBe(0);
    expect(node.logs(id2)).toEqual(['inline ran']);
    expect(node.audit().some((r) => r.syscall === 'AgentKill' && r.result === 'ok')).toBe(true);
    await node.shutdown();
  });
});

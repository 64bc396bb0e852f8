import { describe, it, expect } from 'vitest';
import { createTestHost, runAgent } from '@aios/testkit';

describe('kernel - smoke', () => {
  it('runs an agent main to exit 0 and keeps its log', async () => {
    const host = createTestHost();
    const r = await runAgent(host, `
      import { defineAgent } from '@aios/runtime';
      import { clockNow, log } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'hello', async main(ctx) { ctx.log('hello', ctx.name, typeof clockNow()); } });
    `, { name: 'hello' });
    expect(r.code).toBe(0);
    expect(r.logs).toEqual(['hello hello number']);
    host.shutdown();
  });
});

import { createTestHost } from '@aios/testkit';
const host = createTestHost({ config: { executors: 1 }, log: (id: number, name: string, line: string) => console.log(id, name, line.slice(0, 200)) } as never);
const SRC = `
import { defineAgent, spawn } from '@aios/runtime';
const SLEEPER = "import { defineAgent } from '@aios/runtime'; import { sleep } from '@aios/runtime/kernel'; export default defineAgent({ name: 'sleeper', async main() { await sleep(60_000); } });";
export default defineAgent({ name: 'p', async main(ctx) {
  ctx.log('start');
  const a = await spawn({ source: SLEEPER }, { name: 's1' });
  ctx.log('one');
  const b = await spawn({ source: SLEEPER }, { name: 's2' });
  ctx.log('two');
} });`;
const id = await host.spawn({ source: SRC }, { domain: 'wasm', capabilities: ['spawn'] });
console.log(await host.waitExit(id));
host.shutdown();
process.exit(0);

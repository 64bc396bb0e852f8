// Shared by the cluster tests: the NATS server they use, the built CLI, and a time-bounded wait.
import { join } from 'node:path';

/** The NATS server with JetStream the cluster tests use (each test picks its own bucket prefix). */
export const NATS_URL = process.env.AIOS_TEST_NATS ?? 'nats://127.0.0.1:4222';
/** The built CLI (`npm run build`), for nodes that run as separate processes. */
export const CLI = join(import.meta.dirname, '..', '..', 'apps', 'cli', 'dist', 'cli.js');

/**
 * Waits until `cond` holds, looking every `everyMs`; throws after `ms`. A contract check, never a timing one: the bound
 * is generous (a loaded CI machine) and only says "gave up".
 */
export async function until(cond: () => boolean | Promise<boolean>, ms = 30_000, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// Streamed replies for long work (re-embedding, ...): a client that sends `Accept: application/x-ndjson` gets one
// JSON object per line: `{ "progress": { op, done, total, ... } }` as the work advances, then exactly one final
// `{ "result": ... }` or `{ "error": { code, message, detail } }` (the status is 200 once the stream started, so a
// failure is the error line). Other clients get the plain JSON reply. Progress comes from the kernel event bus:
// the service publishes `user.<service id>.progress` events carrying the job id the route gave it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AiosError, isAiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';

export const NDJSON = 'application/x-ndjson';

/** True when the client asked for a streamed reply with progress lines. */
export function wantsProgress(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').split(',').some((t) => t.trim().split(';')[0] === NDJSON);
}

/**
 * Runs `work(job)` and streams its progress: every event on `topic` whose data.job is this job becomes a progress
 * line (without the job id), then the result or the error ends the stream.
 */
export async function streamWithProgress(host: KernelHost, res: ServerResponse, topic: string, work: (job: string) => Promise<unknown>): Promise<void> {
  const job = randomUUID();
  res.writeHead(200, { 'content-type': NDJSON, 'cache-control': 'no-store' });
  const line = (v: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify(v)}\n`);
  };
  const unsubscribe = host.kernel.subscribeHost(topic, (e) => {
    if (e.data.job !== job) return;
    const { job: _job, ...progress } = e.data;
    line({ progress });
  });
  try {
    line({ result: await work(job) });
  } catch (e) {
    const err = isAiosError(e) ? (e as AiosError) : new AiosError('EIO', (e as Error)?.message ?? String(e));
    line({ error: err.toJSON() });
  } finally {
    unsubscribe();
    res.end();
  }
}

// A simulated OpenAI-compatible chat server on 127.0.0.1 for benchmarks: K slots (FIFO beyond),
// latency proportional to tokens (prompt + completion), streaming or not. Not a model: it answers "tok tok ...".
// Each slot is a constant-rate worker: a request holds it for exactly its tokens' time, scheduled
// on deadlines, so timer lateness and building the answer cost no slot time (as on a real server,
// where serialising a reply does not stall the accelerator). Idle time is what the client leaves.
// Run alone: npx tsx bench/sim-llm-server.ts [--port 8765] [--slots 4] [--ms-per-token 0.1]
import { createServer } from 'node:http';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface SimLlmServerOptions {
  /** Requests served at once; later ones wait in arrival order. */
  slots: number;
  /** Latency per prompt token (prefill) in ms. */
  msPerPromptToken: number;
  /** Latency per completion token (decode) in ms. */
  msPerCompletionToken: number;
  /** Completion tokens when a request sets no max_tokens. */
  defaultMaxTokens?: number;
  port?: number;
  model?: string;
}

export interface SimLlmServer {
  /** Base URL for the driver, ending in /v1. */
  readonly baseURL: string;
  readonly stats: { requests: number; busy: number; maxBusy: number; maxWaiting: number; tokens: number };
  close(): Promise<void>;
}

/** One token per whitespace-separated word, plus 2 per message for role and separators. */
export function simTokens(messages: { content?: unknown }[]): number {
  let n = 0;
  for (const m of messages) n += (typeof m.content === 'string' ? m.content.split(/\s+/).filter(Boolean).length : 0) + 2;
  return n;
}

const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

export async function startSimLlmServer(opts: SimLlmServerOptions): Promise<SimLlmServer> {
  const model = opts.model ?? 'sim-1';
  const stats = { requests: 0, busy: 0, maxBusy: 0, maxWaiting: 0, tokens: 0 };
  const waiting: { since: number; wake: (start: number) => void }[] = [];
  /** Takes a slot; returns when the request's work starts (may be slightly before now, see release). */
  const acquire = async (): Promise<number> => {
    const now = performance.now();
    if (stats.busy < opts.slots) {
      stats.busy++;
      stats.maxBusy = Math.max(stats.maxBusy, stats.busy);
      return now;
    }
    const start = new Promise<number>((wake) => waiting.push({ since: now, wake }));
    stats.maxWaiting = Math.max(stats.maxWaiting, waiting.length);
    return start;
  };
  /** Frees a slot whose work was due to end at workEnd: a waiter's work starts then (or on arrival). */
  const release = (workEnd: number): void => {
    const next = waiting.shift();
    if (next !== undefined) next.wake(Math.max(next.since, workEnd)); // the slot passes straight to the next waiter
    else stats.busy--;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || !(req.url ?? '').endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    let raw = '';
    for await (const d of req) raw += d;
    let body: { messages?: { content?: unknown }[]; max_tokens?: number; stream?: boolean; stream_options?: { include_usage?: boolean } };
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad json' } }));
      return;
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'messages required' } }));
      return;
    }
    const prompt = simTokens(body.messages);
    const completion = Math.max(1, Math.floor(body.max_tokens ?? opts.defaultMaxTokens ?? 16));
    const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    stats.requests++;
    let gone = false;
    res.on('close', () => (gone = true));
    const start = await acquire();
    const end = start + prompt * opts.msPerPromptToken + completion * opts.msPerCompletionToken;
    let held = true;
    const free = (workEnd: number): void => {
      if (held) release(workEnd);
      held = false;
    };
    try {
      if (gone) {
        free(start); // the client left while queued: no work
        return;
      }
      if (body.stream !== true) {
        await sleepUntil(end);
        free(end);
        if (gone) return;
        stats.tokens += prompt + completion;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `sim-${stats.requests}`, object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: Array(completion).fill('tok').join(' ') }, finish_reason: 'length' }], usage }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let due = start + prompt * opts.msPerPromptToken;
      await sleepUntil(due);
      // Decode in batches of about 5 ms so timers stay coarse.
      const batch = Math.max(1, Math.round(5 / Math.max(opts.msPerCompletionToken, 1e-6)));
      for (let sent = 0; sent < completion && !gone; sent += batch) {
        const n = Math.min(batch, completion - sent);
        due += n * opts.msPerCompletionToken;
        await sleepUntil(due);
        const content = (sent === 0 ? '' : ' ') + Array(n).fill('tok').join(' ');
        const last = sent + n >= completion;
        res.write(`data: ${JSON.stringify({ model, choices: [{ index: 0, delta: { content }, finish_reason: last ? 'length' : null }] })}\n\n`);
      }
      if (gone) return;
      stats.tokens += prompt + completion;
      if (body.stream_options?.include_usage === true) res.write(`data: ${JSON.stringify({ model, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    } finally {
      free(gone ? performance.now() : end);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e) } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    stats,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Runs the server in a child process, as a real backend runs outside the caller, so its request
 * handling does not compete with the caller's event loop. Stats are filled in at close().
 */
export async function startSimLlmServerProcess(opts: SimLlmServerOptions): Promise<SimLlmServer> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--import', tsx], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const stats = { requests: 0, busy: 0, maxBusy: 0, maxWaiting: 0, tokens: 0 };
  const baseURL = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sim server exited with ${code}`)));
    child.once('message', (m) => resolve((m as { baseURL: string }).baseURL));
    child.send({ start: opts });
  });
  return {
    baseURL,
    stats,
    close: async () => {
      const final = new Promise<typeof stats>((r) => child.once('message', (m) => r(m as typeof stats)));
      child.send('close');
      Object.assign(stats, await final);
      child.kill();
    },
  };
}

if (process.argv.includes('--child') && process.send !== undefined) {
  let s: SimLlmServer | undefined;
  process.on('message', (m: unknown) => {
    if (m === 'close') {
      void s?.close().then(() => process.send!({ ...s!.stats }));
    } else if (typeof m === 'object' && m !== null && 'start' in m) {
      void startSimLlmServer((m as { start: SimLlmServerOptions }).start).then((srv) => {
        s = srv;
        process.send!({ baseURL: srv.baseURL });
      });
    }
  });
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, def: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  const ms = arg('ms-per-token', 0.1);
  const s = await startSimLlmServer({ slots: arg('slots', 4), msPerPromptToken: ms, msPerCompletionToken: ms, port: arg('port', 8765) });
  console.log(JSON.stringify({ baseURL: s.baseURL, note: 'simulated OpenAI-compatible server; set AIOS_LLM_BASE_URL to this' }));
}

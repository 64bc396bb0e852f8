// llm driver for OpenAI-compatible /chat/completions servers (vLLM, Ollama, llama.cpp server,
// LM Studio, OpenAI), over global fetch. Trusts the server for nothing: every field is checked.
import { redactUrl } from '../env-vars.ts';
import { AiosError } from '@aios/abi';
import type { LlmChunk, LlmDriver, LlmFinishReason, LlmRequest, LlmResult, LlmUsage } from '@aios/abi';
import { estimatePromptTokens, estimateTokens } from '../llm-offline/tokens.ts';
import { readSseData } from './sse.ts';

export interface OpenAIChatDriverOptions {
  /** Base URL that ends before /chat/completions, e.g. http://127.0.0.1:8000/v1. */
  baseURL: string;
  /** Default model when a request names none. */
  model: string;
  apiKey?: string;
  /** Concurrent requests the server serves (default 4). */
  slots?: number;
  /**
   * Requests sent beyond `slots` for the server to queue (default 2), so it never idles for an HTTP round trip
   * between two requests; an urgent request may wait behind this many. 0 for a server that rejects extra
   * requests instead of queueing them. A queued request's wait at the server counts against timeoutMs. Measured in bench/llm-sched.ts: with 0, the fair queue reached 0.96-0.98
   * of FIFO's throughput; with 2, 0.97-1.00.
   */
  pipeline?: number;
  /** complete(): whole-request deadline; stream(): longest wait for the next bytes. Default 120000. */
  timeoutMs?: number;
  /** Ask streamed answers to end with a usage chunk (stream_options.include_usage). Default true. */
  streamUsage?: boolean;
  /** Injected fetch (tests); defaults to the global one. */
  fetch?: typeof fetch;
}

/** Creates the driver; throws EINVAL on a bad URL, model, slots or timeout. */
export function createOpenAIChatDriver(opts: OpenAIChatDriverOptions): LlmDriver {
  const url = checkOptions(opts);
  const slots = opts.slots ?? 4;
  const pipeline = opts.pipeline ?? 2;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey !== undefined && opts.apiKey !== '') headers.authorization = `Bearer ${opts.apiKey}`;

  const body = (req: LlmRequest, stream: boolean): string => {
    const b: Record<string, unknown> = { model: req.model ?? opts.model, messages: req.messages.map((m) => ({ role: m.role, content: m.content })) };
    if (req.maxTokens !== undefined) b.max_tokens = req.maxTokens;
    if (req.temperature !== undefined) b.temperature = req.temperature;
    if (req.stop !== undefined && req.stop.length > 0) b.stop = req.stop;
    if (stream) {
      b.stream = true;
      if (opts.streamUsage !== false) b.stream_options = { include_usage: true };
    }
    return JSON.stringify(b);
  };

  /** POSTs and returns the ok response; maps transport failures and non-2xx to AiosError. */
  const post = async (req: LlmRequest, stream: boolean, signal: AbortSignal, deadline: Deadline, caller?: AbortSignal): Promise<Response> => {
    let res: Response;
    try {
      res = await doFetch(url, { method: 'POST', headers: stream ? { ...headers, accept: 'text/event-stream' } : headers, body: body(req, stream), signal });
    } catch (e) {
      throw mapError(e, caller, deadline);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new AiosError('EIO', `llm backend answered HTTP ${res.status}`, { status: res.status, body: errorText(text), url });
    }
    return res;
  };

  return {
    info: { name: 'llm-openai', version: '0.1.0', kind: 'llm', description: `OpenAI-compatible chat completions at ${redactUrl(url)} (model ${opts.model})`, model: opts.model },
    slots,
    pipeline,
    estimateTokens,

    async complete(req: LlmRequest, signal?: AbortSignal): Promise<LlmResult> {
      checkRequest(req);
      const deadline = new Deadline(timeoutMs);
      const combined = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
      try {
        const res = await post(req, false, combined, deadline, signal);
        let json: unknown;
        try {
          json = await res.json();
        } catch (e) {
          if (combined.aborted) throw mapError(e, signal, deadline);
          throw new AiosError('EIO', 'llm backend sent a body that is not JSON', { url });
        }
        return parseCompletion(json, req, opts.model);
      } finally {
        deadline.clear();
      }
    },

    async *stream(req: LlmRequest, signal?: AbortSignal): AsyncIterable<LlmChunk> {
      checkRequest(req);
      const deadline = new Deadline(timeoutMs);
      const own = new AbortController();
      const sources = [deadline.signal, own.signal];
      if (signal !== undefined) sources.push(signal);
      const combined = AbortSignal.any(sources);
      let text = '';
      let finishReason: LlmFinishReason | undefined;
      let usage: LlmUsage | undefined;
      let model = req.model ?? opts.model;
      let events: AsyncGenerator<string> | undefined;
      try {
        const res = await post(req, true, combined, deadline, signal);
        if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
          // The server ignored stream:true and answered in one piece.
          const r = parseCompletion(await res.json().catch(() => null), req, opts.model);
          if (r.text !== '') yield { delta: r.text };
          yield { delta: '', done: true, finishReason: r.finishReason, usage: r.usage, model: r.model };
          return;
        }
        if (res.body === null) throw new AiosError('EIO', 'llm backend sent no body', { url });
        events = readSseData(res.body);
        for (;;) {
          let next: IteratorResult<string>;
          deadline.restart();
          try {
            next = await events.next();
          } catch (e) {
            throw mapError(e, signal, deadline);
          }
          if (next.done === true || next.value.trim() === '[DONE]') break;
          const ev = parseJson(next.value);
          if (isObj(ev) && ev.error !== undefined) throw new AiosError('EIO', 'llm backend reported an error mid-stream', { body: errorText(JSON.stringify(ev.error)), url });
          if (!isObj(ev)) throw new AiosError('EIO', 'llm backend sent a stream event that is not JSON', { url });
          if (typeof ev.model === 'string') model = ev.model;
          const u = parseUsage(ev.usage);
          if (u !== undefined) usage = u;
          const choice = Array.isArray(ev.choices) ? ev.choices[0] : undefined;
          if (isObj(choice)) {
            const delta = isObj(choice.delta) && typeof choice.delta.content === 'string' ? choice.delta.content : '';
            if (typeof choice.finish_reason === 'string') finishReason = mapFinish(choice.finish_reason);
            if (delta !== '') {
              text += delta;
              yield { delta };
            }
          }
        }
        if (signal?.aborted === true) throw new AiosError('ECANCELED', 'llm request canceled');
        usage ??= { promptTokens: estimatePromptTokens(req.messages), completionTokens: estimateTokens(text) };
        yield { delta: '', done: true, finishReason: finishReason ?? 'stop', usage, model };
      } finally {
        deadline.clear();
        own.abort();
        void events?.return(undefined).catch(() => undefined);
      }
    },
  };
}

/** A restartable timeout whose signal aborts when it fires. */
class Deadline {
  private readonly ctl = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  fired = false;
  constructor(readonly ms: number) {
    this.restart();
  }
  get signal(): AbortSignal {
    return this.ctl.signal;
  }
  restart(): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.fired = true;
      this.ctl.abort(new AiosError('ETIMEDOUT', 'llm backend timed out', { timeoutMs: this.ms }));
    }, this.ms);
  }
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function mapError(e: unknown, caller: AbortSignal | undefined, deadline: Deadline): AiosError {
  if (caller?.aborted === true) return new AiosError('ECANCELED', 'llm request canceled', undefined, { cause: e });
  if (deadline.fired) return new AiosError('ETIMEDOUT', 'llm backend timed out', { timeoutMs: deadline.ms }, { cause: e });
  if (e instanceof AiosError) return e;
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
  return new AiosError('EIO', 'llm backend unreachable', { reason: e instanceof Error ? e.message : String(e), cause }, { cause: e });
}

function checkOptions(opts: OpenAIChatDriverOptions): string {
  let u: URL;
  try {
    u = new URL(opts.baseURL);
  } catch {
    throw new AiosError('EINVAL', 'baseURL is not a URL', { arg: 'baseURL', value: String(opts.baseURL) });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AiosError('EINVAL', 'baseURL must be http or https', { arg: 'baseURL' });
  if (typeof opts.model !== 'string' || opts.model === '') throw new AiosError('EINVAL', 'model must be a non-empty string', { arg: 'model' });
  if (opts.slots !== undefined && (!Number.isInteger(opts.slots) || opts.slots < 1)) throw new AiosError('EINVAL', 'slots must be a positive integer', { arg: 'slots', value: opts.slots });
  if (opts.pipeline !== undefined && (!Number.isInteger(opts.pipeline) || opts.pipeline < 0)) throw new AiosError('EINVAL', 'pipeline must be a non-negative integer', { arg: 'pipeline', value: opts.pipeline });
  if (opts.timeoutMs !== undefined && !(Number.isFinite(opts.timeoutMs) && opts.timeoutMs > 0)) throw new AiosError('EINVAL', 'timeoutMs must be positive', { arg: 'timeoutMs', value: opts.timeoutMs });
  return `${opts.baseURL.replace(/\/+$/, '')}/chat/completions`;
}

function checkRequest(req: LlmRequest): void {
  if (!Array.isArray(req?.messages) || req.messages.length === 0) throw new AiosError('EINVAL', 'messages must be a non-empty array', { arg: 'messages' });
}

function parseCompletion(json: unknown, req: LlmRequest, fallbackModel: string): LlmResult {
  if (!isObj(json)) throw new AiosError('EIO', 'llm backend sent an unexpected body');
  const choice = Array.isArray(json.choices) ? json.choices[0] : undefined;
  if (!isObj(choice) || !isObj(choice.message)) throw new AiosError('EIO', 'llm backend sent no choices', { body: errorText(JSON.stringify(json)) });
  const text = typeof choice.message.content === 'string' ? choice.message.content : '';
  const usage = parseUsage(json.usage) ?? { promptTokens: estimatePromptTokens(req.messages), completionTokens: estimateTokens(text) };
  const finishReason = typeof choice.finish_reason === 'string' ? mapFinish(choice.finish_reason) : 'stop';
  return { text, usage, finishReason, model: typeof json.model === 'string' ? json.model : req.model ?? fallbackModel };
}

function parseUsage(u: unknown): LlmUsage | undefined {
  if (!isObj(u)) return undefined;
  const p = u.prompt_tokens, c = u.completion_tokens;
  if (typeof p !== 'number' || typeof c !== 'number' || !(p >= 0) || !(c >= 0)) return undefined;
  return { promptTokens: p, completionTokens: c };
}

function mapFinish(r: string): LlmFinishReason {
  if (r === 'stop' || r === 'length' || r === 'content_filter' || r === 'tool_calls') return r;
  if (r === 'function_call') return 'tool_calls';
  if (r === 'eos' || r === 'stop_sequence') return 'stop';
  return 'other';
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function errorText(text: string): string {
  const j = parseJson(text);
  const msg = isObj(j) && isObj(j.error) && typeof j.error.message === 'string' ? j.error.message : text;
  return msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

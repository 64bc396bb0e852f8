// Tracing hooks of the kernel: which syscalls get a span, and the span of a syscall and of a message
// receipt. Spans go to ports.tracer (OpenTelemetry at the node); without it none of this runs.
//
// Context: each agent has an ambient trace context (Agent.trace, a W3C traceparent): the context of the
// last traced message it received. Its traced syscalls are children of it; a message it sends carries the
// context of the send's span (Message.trace), and the receiver's receipt span is a child of that, so one
// trace follows a request from agent to service to agent.

import { REPLY_TAG, SYSCALL_BY_NAME, type LlmResult, type Message, type TraceSpan, type TracerPort } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';

/**
 * Syscalls that do work worth a span: spawning, sends, device and model calls. Receives have no syscall span:
 * the receipt span of a traced message (receiveSpan) stands for them, and an untraced receive costs nothing.
 */
const TRACED_NAMES = [
  'AgentSpawn', 'AgentClone', 'AgentKill', 'AgentUpgrade', 'AgentCheckpoint', 'AgentRestore',
  'IPCSend', 'DeviceCall', 'LlmComplete', 'LlmStreamOpen', 'PQCOperation', 'CapExport', 'CapRedeem',
] as const;

/** By syscall number: true when that syscall is traced. */
export const TRACED_NR: readonly boolean[] = (() => {
  const out: boolean[] = [];
  for (const n of TRACED_NAMES) out[SYSCALL_BY_NAME.get(n)!.nr] = true;
  return out;
})();

/** Span names by syscall name, made once (no string is built per call). */
const SPAN_NAMES = new Map<string, string>(TRACED_NAMES.map((n) => [n, `aios.syscall ${n}`]));

/**
 * Opens the span of a traced syscall (a child of the agent's ambient context). Attributes are set only on a
 * recording span: an unsampled trace costs the sampling decision and nothing else.
 */
export function syscallSpan(tracer: TracerPort, a: Agent, call: string): TraceSpan {
  const span = tracer.start(SPAN_NAMES.get(call) ?? `aios.syscall ${call}`, a.trace);
  if (span.recording !== false) {
    span.setAttribute('aios.syscall', call);
    span.setAttribute('aios.agent.id', a.id);
    span.setAttribute('aios.agent.name', a.name);
  }
  return span;
}

/** Ends a syscall span when its result is known; a blocking call's span lasts until its promise settles. */
export function endSyscallSpan(span: TraceSpan, call: string, r: unknown): void {
  if (!(r instanceof Promise)) return span.end();
  r.then(
    (v: unknown) => {
      if (call === 'LlmComplete') genAiAttributes(span, v as LlmResult);
      span.end();
    },
    (e: unknown) => span.end(typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'EIO'),
  );
}

/** Model-call spans whose request named its model (else the answering model stands for it). */
const namedModel = new WeakSet<TraceSpan>();

/** GenAI semantic conventions on a model call's span. */
function genAiAttributes(span: TraceSpan, r: LlmResult | undefined): void {
  if (r === undefined || r === null || typeof r !== 'object') return;
  if (typeof r.model === 'string') {
    span.setAttribute('gen_ai.response.model', r.model);
    if (!namedModel.has(span)) span.setAttribute('gen_ai.request.model', r.model);
  }
  if (r.usage !== undefined) {
    span.setAttribute('gen_ai.usage.input_tokens', r.usage.promptTokens);
    span.setAttribute('gen_ai.usage.output_tokens', r.usage.completionTokens);
  }
}

/** Request attributes of a model call (the model asked for), set when the call is made. */
export function genAiRequest(span: TraceSpan, args: unknown[]): void {
  const req = (typeof args[0] === 'object' && args[0] !== null && args[1] === undefined ? args[0] : args[1]) as { model?: unknown } | undefined;
  span.setAttribute('gen_ai.operation.name', 'chat');
  span.setAttribute('gen_ai.system', 'aios');
  if (req !== undefined && req !== null && typeof req.model === 'string') {
    span.setAttribute('gen_ai.request.model', req.model);
    namedModel.add(span);
  }
}

/** Each agent's receipt span name, `aios.receive NAME`, made again only when the agent's name changes. */
const receiveNames = new WeakMap<Agent, { name: string; span: string }>();
function receiveSpanName(a: Agent): string {
  const c = receiveNames.get(a);
  if (c !== undefined && c.name === a.name) return c.span;
  const span = `aios.receive ${a.name}`;
  receiveNames.set(a, { name: a.name, span });
  return span;
}

/**
 * A traced message reached its receiver: one receipt span (a child of the sender's span) becomes the
 * receiver's ambient context, except for a reply (REPLY_TAG): it closes the caller's request, and the caller
 * goes on in the context it had (so a client's next request is a new trace, sampled on its own). Messages
 * without a trace leave the context as it is.
 */
export function receiveSpan(tracer: TracerPort, a: Agent, m: Message): void {
  if (m.trace === undefined) return;
  const span = tracer.start(receiveSpanName(a), m.trace);
  if (span.recording !== false) {
    span.setAttribute('aios.agent.id', a.id);
    span.setAttribute('aios.agent.name', a.name);
    span.setAttribute('aios.message.from', m.from);
    span.setAttribute('aios.message.tag', m.tag);
    span.setAttribute('messaging.operation.type', 'receive');
  }
  if (m.tag !== REPLY_TAG) a.trace = span.traceparent;
  span.end();
}

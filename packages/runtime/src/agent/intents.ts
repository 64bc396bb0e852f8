// Serving intents from an agent definition: the manifest published with AgentRegister (schemas as JSON Schema),
// and the answer to a request of the INTENTS table (@aios/abi: tag INTENT_TAG, the one envelope { id, op: 'call' |
// 'bid', intent, payload, text } + a reply handle; the reply is the one reply envelope). Trusts the kernel's `from`
// stamp only; the request body is checked, and a payload is checked against a Standard Schema when one is given.

import { AiosError, INTENT_OPS, INTENT_TAG, REPLY_TAG, errorToWire, type AgentManifest, type IntentManifest, type IntentOp, type Message, type ReplyEnvelope } from '@aios/abi';
import { agentRegister, handleClose } from '../kernel/stubs.gen.ts';
import type { AgentContext, AgentDefinition, Bid, IntentContext, IntentDefinition } from './define.ts';
import { utf8Decode } from '../text.ts';
import { sendReply } from '../ipc/reply.ts';

export { INTENT_TAG, REPLY_TAG };


interface StandardSchemaLike {
  '~standard': {
    validate?: (v: unknown) => unknown;
    jsonSchema?: { input?: (o: { target: string }) => unknown; output?: (o: { target: string }) => unknown };
  };
}

function isStandard(s: unknown): s is StandardSchemaLike {
  return typeof s === 'object' && s !== null && typeof (s as Record<string, unknown>)['~standard'] === 'object';
}

/** A schema as JSON Schema for the wire: Standard JSON Schema (zod 4), a toJSONSchema() method, or plain JSON as is. */
export function toWireSchema(schema: unknown, side: 'input' | 'output'): unknown {
  if (schema === undefined) return undefined;
  let out: unknown = schema;
  if (isStandard(schema) && typeof schema['~standard'].jsonSchema?.[side] === 'function') {
    out = schema['~standard'].jsonSchema[side]!({ target: 'draft-2020-12' });
  } else if (typeof (schema as { toJSONSchema?: unknown }).toJSONSchema === 'function') {
    out = (schema as { toJSONSchema(): unknown }).toJSONSchema();
  }
  if (typeof out === 'object' && out !== null && !Array.isArray(out)) {
    const rest: Record<string, unknown> = { ...(out as Record<string, unknown>) };
    delete rest.$schema;
    out = rest;
  }
  return JSON.parse(JSON.stringify(out)) as unknown;
}

/** The manifest an agent publishes: its identity and its intents without handlers. */
export function manifestOf(def: AgentDefinition): AgentManifest {
  const m: AgentManifest = { name: def.name };
  if (def.version !== undefined) m.version = def.version;
  if (def.description !== undefined) m.description = def.description;
  if (def.intents && def.intents.length > 0) {
    m.intents = def.intents.map((it): IntentManifest => {
      const out: IntentManifest = { name: it.name };
      if (it.description !== undefined) out.description = it.description;
      if (it.examples !== undefined) out.examples = [...it.examples];
      const input = toWireSchema(it.input, 'input');
      const output = toWireSchema(it.output, 'output');
      if (input !== undefined) out.input = input;
      if (output !== undefined) out.output = output;
      return out;
    });
  }
  return m;
}

/** Publishes the agent's manifest when it defines intents (AgentRegister; the kernel announces registry.changed). */
export function registerIntents(def: AgentDefinition): void {
  if (def.intents && def.intents.length > 0) agentRegister(manifestOf(def));
}

/** Checks a payload with the intent's Standard Schema (zod), returning the parsed value; EINVAL with the issues. */
async function checkPayload(it: IntentDefinition, payload: unknown): Promise<unknown> {
  if (!isStandard(it.input) || typeof it.input['~standard'].validate !== 'function') return payload;
  const r = (await it.input['~standard'].validate(payload)) as { value?: unknown; issues?: Array<{ message: string; path?: unknown[] }> };
  if (r.issues && r.issues.length > 0) {
    const errors = r.issues.slice(0, 20).map((i) => ({
      path: (i.path ?? []).map((p) => `/${String(typeof p === 'object' && p !== null && 'key' in p ? (p as { key: unknown }).key : p)}`).join(''),
      message: i.message,
    }));
    throw new AiosError('EINVAL', `payload does not match the input schema of ${it.name}`, { intent: it.name, errors });
  }
  return r.value;
}

/**
 * Answers one intent request: runs the intent's handle (op 'call') or bid hook (op 'bid') and replies with the
 * envelope to handles[0], then closes that handle. A request without a reply handle is still served.
 */
export async function serveIntent(def: AgentDefinition, msg: Message, ctx: AgentContext): Promise<void> {
  const replyTo = msg.handles[0];
  let id: string | number | null = null;
  let body: ReplyEnvelope;
  try {
    let req: { id?: unknown; op?: unknown; intent?: unknown; payload?: unknown; text?: unknown; attempt?: unknown; stepKey?: unknown; onBehalfOf?: { agent?: unknown; name?: unknown } };
    try {
      req = JSON.parse(utf8Decode(msg.data)) as typeof req;
    } catch {
      throw new AiosError('EINVAL', 'an intent request must be JSON {id, op, intent, payload, text}');
    }
    if (typeof req !== 'object' || req === null) throw new AiosError('EINVAL', 'an intent request must be a JSON object');
    if (typeof req.id === 'string' || typeof req.id === 'number') id = req.id;
    if (!INTENT_OPS.includes(req.op as IntentOp)) throw new AiosError('EINVAL', `op must be one of ${INTENT_OPS.join(', ')}`, { arg: 'op' });
    if (typeof req.intent !== 'string') throw new AiosError('EINVAL', 'intent request without an intent name', { arg: 'intent' });
    const text = typeof req.text === 'string' ? req.text : undefined;
    const it = def.intents?.find((i) => i.name === req.intent);
    if (it === undefined) throw new AiosError('ENOSYS', `agent ${def.name} serves no intent ${req.intent}`, { intent: req.intent });
    const ictx: IntentContext = {
      ...ctx, intent: it.name, from: msg.from, ...(text !== undefined ? { text } : {}),
      ...(Number.isSafeInteger(req.attempt) ? { attempt: req.attempt as number } : {}),
      ...(typeof req.stepKey === 'string' ? { stepKey: req.stepKey } : {}),
      ...(typeof req.onBehalfOf?.agent === 'number' && typeof req.onBehalfOf.name === 'string' ? { onBehalfOf: { agent: req.onBehalfOf.agent, name: req.onBehalfOf.name } } : {}),
    };
    let result: unknown;
    if (req.op === 'bid') {
      const b: Bid = it.bid ? await it.bid(req.payload, ictx) : { cost: 1 };
      if (typeof b !== 'object' || b === null || typeof b.cost !== 'number' || !Number.isFinite(b.cost)) throw new AiosError('EINVAL', `bid of ${it.name} must be { cost: number }`);
      result = b;
    } else {
      if (typeof it.handle !== 'function') throw new AiosError('ENOSYS', `intent ${it.name} of ${def.name} has no handler`, { intent: it.name });
      result = await it.handle(await checkPayload(it, req.payload), ictx);
    }
    body = { id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  } catch (e) {
    body = { id, ok: false, error: errorToWire(e) };
  }
  if (replyTo === undefined) return;
  sendReply(replyTo, body);
  try {
    handleClose(replyTo);
  } catch {
    /* already closed */
  }
}

// The entry the kernel's loader wraps around every image: it turns kernel
// activations ('main', 'message') into calls of the agent's definition.
// Contract with the domains: see packages/kernel/src/domain/types.ts.

import type { Message, SelfInfo } from '@aios/abi';
import { log as sysLog, selfHandle, selfInfo } from '../kernel/stubs.gen.ts';
import { AiosError } from '@aios/abi';
import { LIFECYCLE_HOOKS, type AgentContext, type AgentDefinition, type ReceivedMessage } from './define.ts';
import { INTENT_TAG, registerIntents, serveIntent } from './intents.ts';
import { takeSetAside } from '../ipc/inbox.ts';
import { utf8Decode } from '../text.ts';


export function wrapMessage(msg: Message): ReceivedMessage {
  return {
    from: msg.from,
    data: msg.data,
    handles: msg.handles,
    tag: msg.tag,
    text() {
      return utf8Decode(this.data);
    },
    json<T>() {
      return JSON.parse(utf8Decode(this.data)) as T;
    },
  };
}

export interface Entry {
  info: { hasMain: boolean; hasOnMessage: boolean; name?: string; version?: string; description?: string; hooks: string[] };
  /** Runs an activation; lifecycle kinds resolve with the hook's result (JSON). */
  dispatch(kind: string, payload?: unknown): Promise<unknown>;
}

/** Builds the entry for a module's exports. A module without a default defineAgent export is refused. */
export function createEntry(mod: { default?: unknown }): Entry {
  const def = mod.default as AgentDefinition | undefined;
  const serves = typeof def === 'object' && def !== null && Array.isArray(def.intents) && def.intents.length > 0;
  if (typeof def !== 'object' || def === null || (typeof def.main !== 'function' && typeof def.onMessage !== 'function' && !serves)) {
    throw new TypeError('agent image has no default export made with defineAgent({ name, main?, onMessage?, intents? })');
  }
  // An agent with intents publishes them before main (or after restore) and serves them like messages, so it
  // reports main and onMessage even when it defines neither (the kernel delivers only to hasOnMessage agents).
  const hasOnMessage = typeof def.onMessage === 'function' || serves;
  // One message: an intent request to its intent, anything else to onMessage (dropped when there is none).
  const deliver = async (msg: Message): Promise<void> => {
    if (serves && msg.tag === INTENT_TAG) return serveIntent(def, msg, context());
    if (def.onMessage) await def.onMessage(wrapMessage(msg), context());
  };
  // Messages a call() took from the mailbox while waiting for its reply (ipc/inbox.ts) are delivered, in arrival
  // order, before the activation ends: the kernel acknowledges a durable agent's receipts when it settles.
  const drainStash = async (): Promise<void> => {
    if (!hasOnMessage) return;
    for (let m = takeSetAside(); m !== undefined; m = takeSetAside()) await deliver(m);
  };
  let ctx: AgentContext | undefined;
  const context = (): AgentContext => {
    if (ctx) return ctx;
    const info: SelfInfo = selfInfo();
    ctx = { id: info.id, name: info.name, self: selfHandle(), config: info.config, log: (...args: unknown[]) => sysLog(...args) };
    return ctx;
  };
  return {
    info: {
      hasMain: typeof def.main === 'function' || serves,
      hasOnMessage,
      name: def.name,
      version: def.version,
      description: def.description,
      hooks: LIFECYCLE_HOOKS.filter((h) => typeof def[h] === 'function'),
    },
    async dispatch(kind: string, payload?: unknown): Promise<unknown> {
      if (kind === 'main') {
        if (serves) registerIntents(def);
        if (def.main) await def.main(context());
        await drainStash();
        return undefined;
      }
      if (kind === 'message') {
        await deliver(payload as Message);
        await drainStash();
        return undefined;
      }
      const hook = (LIFECYCLE_HOOKS as readonly string[]).includes(kind) ? (def as unknown as Record<string, unknown>)[kind] : undefined;
      if (typeof hook !== 'function') throw new AiosError('ENOSYS', `agent ${def.name} defines no ${kind} hook`, { hook: kind });
      const p = (payload ?? {}) as { state?: unknown; other?: unknown; messages?: unknown; from?: string };
      const ctx = context();
      // Results cross back to the kernel as JSON: a state must be plain data.
      const json = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
      switch (kind) {
        case 'serialize': return json(await def.serialize!(ctx));
        case 'restore':
          await def.restore!(p.state, ctx);
          // A restored server skips main: publish its intents here (a clone serves the same intents).
          if (serves) registerIntents(def);
          return null;
        case 'merge': return json(await def.merge!(p.state, p.other, ctx));
        case 'partition': return json(await def.partition!(p.state, p.messages as never, ctx));
        default: return json(await def.migrate!(p.state, p.from, ctx));
      }
    },
  };
}

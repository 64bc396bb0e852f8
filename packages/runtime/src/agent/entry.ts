// The entry the kernel's loader wraps around every image: it turns kernel
// activations ('main', 'message') into calls of the agent's definition.
// Contract with the domains: see packages/kernel/src/domain/types.ts.

import type { Message, SelfInfo } from '@aios/abi';
import { log as sysLog, selfHandle, selfInfo } from '../kernel/stubs.gen.ts';
import { AiosError } from '@aios/abi';
import { LIFECYCLE_HOOKS, type AgentContext, type AgentDefinition, type ReceivedMessage } from './define.ts';

const decoder = new TextDecoder();

export function wrapMessage(msg: Message): ReceivedMessage {
  return {
    from: msg.from,
    data: msg.data,
    handles: msg.handles,
    tag: msg.tag,
    text() {
      return decoder.decode(this.data);
    },
    json<T>() {
      return JSON.parse(decoder.decode(this.data)) as T;
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
  if (typeof def !== 'object' || def === null || (typeof def.main !== 'function' && typeof def.onMessage !== 'function')) {
    throw new TypeError('agent image has no default export made with defineAgent({ name, main?, onMessage? })');
  }
  let ctx: AgentContext | undefined;
  const context = (): AgentContext => {
    if (ctx) return ctx;
    const info: SelfInfo = selfInfo();
    ctx = { id: info.id, name: info.name, self: selfHandle(), config: info.config, log: (...args: unknown[]) => sysLog(...args) };
    return ctx;
  };
  return {
    info: {
      hasMain: typeof def.main === 'function',
      hasOnMessage: typeof def.onMessage === 'function',
      name: def.name,
      version: def.version,
      description: def.description,
      hooks: LIFECYCLE_HOOKS.filter((h) => typeof def[h] === 'function'),
    },
    async dispatch(kind: string, payload?: unknown): Promise<unknown> {
      if (kind === 'main') {
        if (def.main) await def.main(context());
        return undefined;
      }
      if (kind === 'message') {
        if (def.onMessage) await def.onMessage(wrapMessage(payload as Message), context());
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
        case 'restore': await def.restore!(p.state, ctx); return null;
        case 'merge': return json(await def.merge!(p.state, p.other, ctx));
        case 'partition': return json(await def.partition!(p.state, p.messages as never, ctx));
        default: return json(await def.migrate!(p.state, p.from, ctx));
      }
    },
  };
}

// The entry the kernel's loader wraps around every image: it turns kernel
// activations ('main', 'message') into calls of the agent's definition.
// Contract with the domains: see packages/kernel/src/domain/types.ts.

import type { Message, SelfInfo } from '@aios/abi';
import { log as sysLog, selfHandle, selfInfo } from '../kernel/stubs.gen.ts';
import type { AgentContext, AgentDefinition, ReceivedMessage } from './define.ts';

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
  info: { hasMain: boolean; hasOnMessage: boolean; name?: string; version?: string; description?: string };
  dispatch(kind: string, payload?: unknown): Promise<void>;
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
    },
    async dispatch(kind: string, payload?: unknown): Promise<void> {
      if (kind === 'main') {
        if (def.main) await def.main(context());
        return;
      }
      if (kind === 'message') {
        if (def.onMessage) await def.onMessage(wrapMessage(payload as Message), context());
        return;
      }
      throw new TypeError(`unknown activation kind ${kind}`);
    },
  };
}

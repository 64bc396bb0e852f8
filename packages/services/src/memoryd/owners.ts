// Who owns an agent's private namespaces. With identityd running, the owner is the agent's identity
// (`i<identity id>`, namespaces `i<identity>:<name>`): stable across restarts of the same agent, and not
// inherited by another agent that later gets a recycled agent id. Without identityd (nodes or tests that boot
// without it) the owner is the agent id (`<id>`, namespaces `a<id>:<name>`), as before.
// Legacy data: the first time an agent is keyed by identity, its private (non-shared) `a<id>:` namespaces are
// moved under its identity (copied, then deleted); shared legacy namespaces stay where they are (peers hold
// handles naming them). Trusts identityOf to answer for the kernel-stamped sender.
import { hasCode } from '@aios/abi';
import type { Fabric } from './fabric.ts';

export interface Owner {
  /** The fabric actor (namespace owner) of the agent. */
  actor: string;
  /** The prefix of its private namespace ids. */
  prefix: string;
}

/** The identity id of a live agent, or null when no identity service runs (throws when it failed to answer). */
export type IdentityOf = (agent: number) => Promise<string | null>;

export interface Owners {
  /** The owner of `agent`'s private namespaces (cached for the agent's life; see forget). */
  of(agent: number): Promise<Owner>;
  /** Drops what is cached about `agent` (it exited or was cloned: its id may come back as another agent). */
  forget(agent: number): void;
}

export const legacyOwner = (agent: number): Owner => ({ actor: String(agent), prefix: `a${agent}:` });

/** The kernel's root agent (the host): always agent 1. */
const ROOT_AGENT = 1;

export function createOwners(fabric: Fabric, identityOf?: IdentityOf, log: (line: string) => void = () => undefined): Owners {
  const cache = new Map<number, Promise<Owner>>();

  /** Moves the agent's private legacy namespaces under its identity owner. Returns how many moved. */
  async function adopt(agent: number, to: Owner): Promise<number> {
    const from = legacyOwner(agent);
    let moved = 0;
    for (const ns of await fabric.listNamespaces({ actor: from.actor })) {
      if (ns.owner !== from.actor || ns.shared || !ns.id.startsWith(from.prefix)) continue;
      const target = `${to.prefix}${ns.id.slice(from.prefix.length)}`;
      try {
        await fabric.getNamespace({ actor: to.actor }, target);
        continue; // already under the identity: the legacy copy is left alone
      } catch (e) {
        if (!hasCode(e, 'ENOENT')) throw e;
        await fabric.createNamespace({ actor: to.actor }, { id: target, shared: false, quota: ns.quota });
      }
      const lines: string[] = [];
      for await (const line of fabric.exportJsonl({ actor: from.actor }, ns.id, { withEmbeddings: true })) lines.push(line);
      if (lines.length > 0) await fabric.importJsonl({ actor: to.actor }, target, lines);
      await fabric.deleteNamespace({ actor: from.actor }, ns.id);
      moved++;
    }
    return moved;
  }

  async function compute(agent: number): Promise<Owner> {
    // The node's root (agent 1: the operator, through the host and the API) keeps the node-independent owner
    // `1`: the operators of nodes that share one fabric (Postgres storage) are one principal, and reach the same
    // namespaces from every node, whatever identity each node's host was given.
    if (!identityOf || agent === ROOT_AGENT) return legacyOwner(agent);
    const id = await identityOf(agent);
    if (id === null) return legacyOwner(agent);
    const owner = { actor: `i${id}`, prefix: `i${id}:` };
    const moved = await adopt(agent, owner);
    if (moved > 0) log(`moved ${moved} private namespace(s) of agent ${agent} under its identity`);
    return owner;
  }

  return {
    of(agent) {
      let p = cache.get(agent);
      if (!p) {
        p = compute(agent).catch((e) => {
          // identityd did not answer: this request is keyed by agent id, the next one asks again.
          cache.delete(agent);
          log(`identity of agent ${agent} unknown (${(e as Error).message}); keyed by agent id`);
          return legacyOwner(agent);
        });
        cache.set(agent, p);
      }
      return p;
    },
    forget(agent) {
      cache.delete(agent);
    },
  };
}

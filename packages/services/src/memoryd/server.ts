// memoryd's request handlers (one per op, run by serve()): maps namespace handles and the kernel-stamped
// sender onto fabric callers, runs the fabric, and replies. Syscalls come in as a port (MemorydSys) so
// the handler is testable without a kernel. Trusts only `msg.from` and objInfo; checks everything else.
import { AiosError, Rights, hasCode, limits, type Message, type MemoryItem, type MemoryRecord, type OpRequest } from '@aios/abi';
import type { Caller, MemRight } from './access.ts';
import { createOwners, type IdentityOf, type Owner } from './owners.ts';
import type { Fabric, FabricHit, NamespaceInfo, SearchMode } from './fabric.ts';
import { Outcome, type ProtocolHandlers, type RequestContext, type ServedRequest } from '@aios/runtime/orchestration';
import {
  DEFAULT_NS_NAME, EXPORT_PAGE_BYTES, MAX_REPLY_BYTES, MEMORYD, MEMORYD_OPS, NS_NAME, NS_TAG_PREFIX, int, json, nsRef, obj, str,
  type ChangeEvent, type MemorydOp, type NsRef,
} from './protocol.ts';

/** A request as run() sees it: any op's fields (each is checked before use). */
type MemorydRequest = ServedRequest & { op: MemorydOp } & Partial<OpRequest<typeof MEMORYD, 'put'> & OpRequest<typeof MEMORYD, 'export'> & OpRequest<typeof MEMORYD, 'import'>> & Record<string, unknown>;

/** The syscalls memoryd needs (the agent wires the runtime stubs). */
export interface MemorydSys {
  /** memoryd's own agent id (owner of the namespace objects it creates). */
  self: number;
  objCreate(tag: string): number;
  objInfo(handle: number): { owner: number; tag: string; rights: number };
  send(to: number, data: Uint8Array, handles?: number[]): void;
  close(handle: number): void;
  now(): number;
  newId(): string;
  /** Publishes a progress report of a long op that named a job (the agent: EventPublish 'progress'); best effort. */
  progress?(report: { job: string; op: string; ns: string; done: number; total: number }): void;
  /**
   * The identity id of a live agent (identityd's lookup), or null when identityd does not run. Absent: private
   * namespaces are keyed by agent id (see owners.ts).
   */
  identityOf?: IdentityOf;
  log?: (line: string) => void;
}

export interface MemorydServer {
  /**
   * One handler per op of the MEMORYD table for createProtocolServer() (@aios/runtime/orchestration): the envelope,
   * the reply handle, the closing of request handles and the answer to malformed requests are the server loop's.
   */
  ops: ProtocolHandlers<typeof MEMORYD>;
  /** Number of open subscriptions and export sessions (for stats and tests). */
  open(): { subscriptions: number; exports: number };
  /**
   * Copies every private namespace of agent `from` into agent `to`'s (same names): what a clone
   * or a merge of agents does to their private memory. Returns how many items were copied.
   */
  copyPrivate(from: number, to: number): Promise<number>;
  /** Forgets the cached owner of an agent (call when it exits or is cloned: its id may be recycled). */
  forgetAgent(agent: number): void;
}

/** Export sessions idle longer than this are dropped. */
const EXPORT_IDLE_MS = 120_000;

const enc = new TextEncoder();
const dec = new TextDecoder();
const byteLen = (s: string): number => enc.encode(s).length;

/** An item as it crosses IPC (the abi's MemoryRecord): the vector stays home. */
function wire(it: MemoryItem): MemoryRecord {
  const { embedding: _e, ...rest } = it;
  return rest;
}

interface Sub { owner: number; reply: number; close(): void }
interface ExportSession { owner: number; gen: AsyncGenerator<string>; carry?: string; used: number }

interface RunOutcome { result: unknown; handles?: number[]; keep?: number[] }

export function createMemorydServer(fabric: Fabric, sys: MemorydSys): MemorydServer {
  const subs = new Map<string, Sub>();
  const exports = new Map<string, ExportSession>();
  const known = new Set<string>();
  const owners = createOwners(fabric, sys.identityOf, sys.log);

  const rightsOf = (bits: number): MemRight[] => {
    const out: MemRight[] = [];
    if (bits & Rights.READ) out.push('read');
    if (bits & Rights.WRITE) out.push('write');
    if (bits & Rights.SEARCH) out.push('search');
    return out;
  };

  const idFor = (owner: Owner, name: string): string => {
    if (!NS_NAME.test(name)) throw new AiosError('EINVAL', `namespace name must match ${NS_NAME}`, { arg: 'ns', value: name });
    return `${owner.prefix}${name}`;
  };

  async function ensure(actor: string, id: string): Promise<void> {
    if (known.has(id)) return;
    try {
      await fabric.getNamespace({ actor }, id);
    } catch (e) {
      if (!hasCode(e, 'ENOENT')) throw e;
      await fabric.createNamespace({ actor }, { id, shared: false });
    }
    known.add(id);
  }

  /** Resolves a namespace reference to the fabric id and the caller to judge. create: make a missing own namespace. */
  async function resolve(m: Message, ref: NsRef | undefined, create: boolean): Promise<{ ns: string; caller: Caller }> {
    const owner = await owners.of(m.from);
    const actor = owner.actor;
    if (ref === undefined) {
      const ns = idFor(owner, DEFAULT_NS_NAME);
      await ensure(actor, ns);
      return { ns, caller: { actor } };
    }
    if (typeof ref === 'number') {
      const h = m.handles[ref];
      if (h === undefined) throw new AiosError('EBADF', `no handle at index ${ref} in the request`, { arg: 'ns', index: ref });
      const info = sys.objInfo(h);
      if (info.owner !== sys.self || !info.tag.startsWith(NS_TAG_PREFIX)) throw new AiosError('EBADF', 'not a memoryd namespace handle', { arg: 'ns', index: ref });
      return { ns: info.tag.slice(NS_TAG_PREFIX.length), caller: { actor, rights: rightsOf(info.rights) } };
    }
    const ns = ref.includes(':') ? ref : idFor(owner, ref);
    if (create && ns.startsWith(owner.prefix)) await ensure(actor, ns);
    return { ns, caller: { actor } };
  }

  function nsList(v: unknown): Array<NsRef | undefined> | undefined {
    if (v === undefined || v === null) return undefined;
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || list.length > 32) throw new AiosError('EINVAL', 'ns must name 1..32 namespaces', { arg: 'ns' });
    return list.map((x, i) => nsRef(x, `ns[${i}]`)); // null: the private default namespace
  }

  const withName = (info: NamespaceInfo, owner: Owner): NamespaceInfo & { name: string } => {
    const p = owner.prefix;
    return { ...info, name: info.id.startsWith(p) ? info.id.slice(p.length) : info.id };
  };

  function sweepExports(): void {
    const now = sys.now();
    for (const [k, s] of exports) if (now - s.used > EXPORT_IDLE_MS) {
      exports.delete(k);
      void s.gen.return(undefined);
    }
  }

  async function exportPage(m: Message, r: MemorydRequest): Promise<RunOutcome> {
    sweepExports();
    let key = str(r.cursor, 'cursor', true);
    let s: ExportSession | undefined;
    if (key !== undefined) {
      s = exports.get(key);
      if (!s || s.owner !== m.from) throw new AiosError('ENOENT', 'no such export cursor (finished or expired)', { arg: 'cursor' });
    } else {
      const { ns, caller } = await resolve(m, nsRef(r.ns), false);
      const gen = fabric.exportJsonl(caller, ns, { withEmbeddings: r.withEmbeddings === true });
      // Run the generator to its first line now so access errors answer this request.
      const first = await gen.next();
      s = { owner: m.from, gen, used: sys.now(), ...(first.done ? {} : { carry: first.value }) };
      key = sys.newId();
      exports.set(key, s);
    }
    s.used = sys.now();
    const lines: string[] = [];
    let bytes = 0;
    let done = false;
    for (;;) {
      let line = s.carry;
      delete s.carry;
      if (line === undefined) {
        const n = await s.gen.next();
        if (n.done) { done = true; break; }
        line = n.value;
      }
      const size = byteLen(JSON.stringify(line)) + 1;
      if (size > EXPORT_PAGE_BYTES) throw new AiosError('EMSGSIZE', 'an exported item is larger than one message page', { size, max: EXPORT_PAGE_BYTES });
      if (bytes + size > EXPORT_PAGE_BYTES) { s.carry = line; break; }
      lines.push(line);
      bytes += size;
    }
    if (done) exports.delete(key);
    return { result: { lines, cursor: done ? null : key } };
  }

  async function run(m: Message, r: MemorydRequest): Promise<RunOutcome> {
    const owner = await owners.of(m.from);
    const actor = owner.actor;
    switch (r.op) {
      case 'ns.create': {
        const name = str(r.name, 'name', true) ?? `s-${sys.newId().slice(0, 12)}`;
        const id = idFor(owner, name);
        let info: NamespaceInfo;
        let existed = true;
        try {
          info = await fabric.getNamespace({ actor }, id);
        } catch (e) {
          if (!hasCode(e, 'ENOENT')) throw e;
          existed = false;
          const quota = obj(r.quota, 'quota');
          info = await fabric.createNamespace({ actor }, { id, shared: r.shared === true, ...(quota ? { quota: quota as { maxItems?: number; maxBytes?: number } } : {}) });
        }
        if (existed && r.shared !== undefined && info.shared !== (r.shared === true)) info = await fabric.configureNamespace({ actor }, id, { shared: r.shared === true });
        known.add(id);
        const h = sys.objCreate(`${NS_TAG_PREFIX}${id}`);
        return { result: { ns: withName(info, owner), existed, handle: 0 }, handles: [h] };
      }
      case 'ns.list':
        return { result: (await fabric.listNamespaces({ actor })).map((i) => withName(i, owner)) };
      case 'put': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), true);
        const ttlMs = r.ttlMs === undefined ? undefined : (r.ttlMs as number);
        const tags = r.tags as string[] | undefined;
        if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) throw new AiosError('EINVAL', 'tags must be a list of strings', { arg: 'tags' });
        const res = await fabric.put(caller, ns, {
          text: str(r.text, 'text')!,
          ...(r.data !== undefined ? { data: json(r.data)! } : {}), ...(tags ? { tags } : {}),
          ...(r.key !== undefined ? { key: str(r.key, 'key')! } : {}), ...(ttlMs !== undefined ? { ttlMs } : {}),
          ...(r.provenance !== undefined ? { provenance: obj(r.provenance, 'provenance') as never } : {}),
        });
        return { result: { id: res.item.id, ns, version: res.item.version, created: res.created, changed: res.changed } };
      }
      case 'get': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), false);
        const it = r.key !== undefined ? await fabric.getByKey(caller, ns, str(r.key, 'key')!) : await fabric.get(caller, ns, str(r.item ?? r.itemId, 'item')!);
        return { result: it ? wire(it) : null };
      }
      case 'update': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), false);
        const patch = obj(r.patch, 'patch') ?? {};
        const ev = int(r.expectedVersion, 'expectedVersion', 1, Number.MAX_SAFE_INTEGER);
        const it = await fabric.update(caller, ns, str(r.item, 'item')!, patch as never, ev !== undefined ? { expectedVersion: ev } : {});
        return { result: wire(it) };
      }
      case 'delete': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), false);
        const ev = int(r.expectedVersion, 'expectedVersion', 1, Number.MAX_SAFE_INTEGER);
        return { result: { deleted: await fabric.delete(caller, ns, str(r.item, 'item')!, ev !== undefined ? { expectedVersion: ev } : {}) } };
      }
      case 'search': {
        const refs = nsList(r.ns) ?? [undefined];
        const resolved = [];
        for (const ref of refs) resolved.push(await resolve(m, ref, false));
        // Every namespace is checked with the caller of its own reference (handles carry their rights).
        const hits: FabricHit[] = [];
        const k = int(r.k, 'k', 1, limits.MEMORY_SEARCH_K_MAX) ?? 10;
        const mode = r.mode as SearchMode | undefined;
        const filter = obj(r.filter, 'filter') as never;
        const query = str(r.query, 'query')!;
        const plain = resolved.filter((x) => x.caller.rights === undefined);
        const groups: Array<{ ns: string[]; caller: Caller }> = plain.length ? [{ ns: plain.map((x) => x.ns), caller: { actor } }] : [];
        for (const x of resolved) if (x.caller.rights !== undefined) groups.push({ ns: [x.ns], caller: x.caller });
        if (groups.length === 1) {
          hits.push(...(await fabric.search(groups[0]!.caller, { ns: groups[0]!.ns, query, k, ...(mode ? { mode } : {}), ...(filter ? { filter } : {}) })));
        } else {
          // Several rights scopes: search each, then merge by rank position (scores are per-list).
          const lists = [];
          for (const g of groups) lists.push(await fabric.search(g.caller, { ns: g.ns, query, k, ...(mode ? { mode } : {}), ...(filter ? { filter } : {}) }));
          const seen = new Set<string>();
          for (let i = 0; hits.length < k && lists.some((l) => i < l.length); i++) {
            for (const l of lists) {
              const h = l[i];
              if (h && !seen.has(`${h.ns}/${h.id}`) && hits.length < k) { seen.add(`${h.ns}/${h.id}`); hits.push(h); }
            }
          }
        }
        return { result: hits.map((h) => ({ ...h, item: wire(h.item) })) };
      }
      case 'subscribe': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), false);
        const reply = m.handles[0]!;
        const subId = sys.newId();
        const since = int(r.since, 'since', 0, Number.MAX_SAFE_INTEGER);
        const sub = await fabric.subscribe(caller, ns, (c) => {
          const ev: ChangeEvent = { event: 'change', id: r.id, sub: subId, ns: c.ns, seq: c.seq, op: c.op, item: c.id, version: c.version, at: c.at, ...(c.key !== undefined ? { key: c.key } : {}) };
          try {
            sys.send(reply, enc.encode(JSON.stringify(ev)));
          } catch (e) {
            // A full mailbox loses this event; a gone subscriber ends the subscription.
            if (!hasCode(e, 'EAGAIN')) drop(subId);
          }
        }, since !== undefined ? { since } : {});
        subs.set(subId, { owner: m.from, reply, close: () => sub.close() });
        return { result: { sub: subId, ns }, keep: [reply] };
      }
      case 'unsubscribe': {
        const id = str(r.sub, 'sub')!;
        const s = subs.get(id);
        if (!s || s.owner !== m.from) throw new AiosError('ENOENT', 'no such subscription', { arg: 'sub' });
        drop(id);
        return { result: { closed: true } };
      }
      case 'export':
        return exportPage(m, r);
      case 'import': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), true);
        const lines = typeof r.lines === 'string' ? r.lines : Array.isArray(r.lines) && r.lines.every((l) => typeof l === 'string') ? (r.lines as string[]) : undefined;
        if (lines === undefined) throw new AiosError('EINVAL', 'lines must be JSONL text or a list of lines', { arg: 'lines' });
        const first = int(r.firstLine, 'firstLine', 1, Number.MAX_SAFE_INTEGER) ?? 1;
        const res = await fabric.importJsonl(caller, ns, lines);
        return { result: { ...res, ns, skipped: res.skipped.map((s) => ({ ...s, line: s.line + first - 1 })) } };
      }
      case 'stats': {
        const { ns, caller } = await resolve(m, nsRef(r.ns), false);
        return { result: { ns, ...(await fabric.stats(caller, ns)) } };
      }
      case 'reembed': {
        // Moves a namespace to the node's current embedder (after AIOS_EMBED_* changed); admin right needed.
        const { ns, caller } = await resolve(m, nsRef(r.ns), false);
        const job = typeof r.job === 'string' && r.job.length > 0 && r.job.length <= 64 ? r.job : undefined;
        const onProgress = job === undefined || sys.progress === undefined ? undefined : (p: { done: number; total: number }) => sys.progress!({ job, op: 'reembed', ns, ...p });
        return { result: { ns, ...(await fabric.reembed(caller, ns, undefined, onProgress)) } };
      }
    }
  }

  function closeAll(handles: number[]): void {
    for (const h of handles) {
      try { sys.close(h); } catch { /* closed already */ }
    }
  }

  function drop(subId: string): void {
    const s = subs.get(subId);
    if (!s) return;
    subs.delete(subId);
    s.close();
    try { sys.close(s.reply); } catch { /* closed already */ }
  }

  return {
    open: () => ({ subscriptions: subs.size, exports: exports.size }),
    forgetAgent: (agent) => owners.forget(agent),
    async copyPrivate(from, to) {
      const fromOwner = await owners.of(from);
      const toOwner = await owners.of(to);
      if (fromOwner.actor === toOwner.actor) return 0;
      const src = { actor: fromOwner.actor };
      const dst = { actor: toOwner.actor };
      const prefix = fromOwner.prefix;
      let copied = 0;
      for (const info of await fabric.listNamespaces(src)) {
        if (!info.id.startsWith(prefix)) continue;
        const target = `${toOwner.prefix}${info.id.slice(prefix.length)}`;
        await ensure(dst.actor, target);
        const lines: string[] = [];
        for await (const line of fabric.exportJsonl(src, info.id)) lines.push(line);
        if (lines.length === 0) continue;
        const r = await fabric.importJsonl(dst, target, lines);
        copied += (r as { imported?: number }).imported ?? lines.length;
      }
      return copied;
    },
    ops: Object.fromEntries(MEMORYD_OPS.map((op) => [op, async (req: ServedRequest, ctx: RequestContext) => {
      const out = await run(ctx.message, req as MemorydRequest);
      const size = byteLen(JSON.stringify(out.result ?? null));
      if (size > MAX_REPLY_BYTES) {
        closeAll(out.handles ?? []);
        throw new AiosError('EMSGSIZE', 'the reply is larger than one message (ask for fewer results)', { max: MAX_REPLY_BYTES, size });
      }
      return new Outcome(out.result, out.handles ?? [], out.keep ?? []);
    }])) as unknown as ProtocolHandlers<typeof MEMORYD>,
  };
}

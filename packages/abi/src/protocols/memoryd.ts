// memoryd's protocol table: every op an agent (or the host) may call on the memory fabric, with its request and
// result types and the error codes it may answer. The one place a memoryd op is declared: MEMORYD_OPS and the
// runtime memory client are derived from it; memoryd's handlers are typed by it (createProtocolServer).
//
// A namespace reference (`ns`) is: absent or null (the caller's private default namespace), a number (index into
// the request's handles, >= 1: a namespace handle memoryd created), or a string (a name of one of the caller's
// own namespaces, or a full namespace id: reachable without a handle only by its owner).

import type { JsonValue, MemoryItem, NamespaceStats, Provenance } from '../storage.ts';
import { defineProtocol, op, type OpName } from './define.ts';

/** A namespace reference: a handle index (>= 1) or a namespace name or id. */
export type NsRef = number | string;

/** The one memory-item shape on the wire (and in the runtime's memory API): a stored item without its vector. */
export type MemoryRecord = Omit<MemoryItem, 'embedding'>;

/** A search hit as memoryd answers it. */
export interface MemoryWireHit {
  ns: string;
  id: string;
  /** hybrid: RRF score; text: BM25 (positive); vector: cosine. */
  score: number;
  textRank?: number;
  vectorRank?: number;
  item: MemoryRecord;
}

/** Item quotas of a namespace. */
export interface NamespaceQuota {
  maxItems?: number;
  maxBytes?: number;
}

/** A namespace as memoryd lists it (`name`: the caller's name for it, else its full id). */
export interface NamespaceSummary {
  id: string;
  name: string;
  owner: string;
  shared: boolean;
  dim: number;
  embedder: string;
  created: number;
  quota?: NamespaceQuota;
}

/** A search filter (tags all / any, equality on data fields, author). */
export interface MemoryFilter {
  tags?: string[];
  anyTags?: string[];
  where?: { [field: string]: string | number | boolean | null };
  author?: string;
}

export type MemorySearchMode = 'hybrid' | 'text' | 'vector';

/** A change pushed to a subscriber's reply handle (tag 'data'). */
export interface ChangeEvent {
  event: 'change';
  /** Id of the subscribe request. */
  id: string | number;
  sub: string;
  ns: string;
  seq: number;
  op: string;
  item: string;
  key?: string;
  version: number;
  at: number;
}

/** The patch of an update. */
export interface MemoryPatch {
  text?: string;
  data?: JsonValue;
  tags?: string[];
  ttlMs?: number;
  expiresAt?: number | null;
  provenance?: Provenance;
}

type Ns = { ns?: NsRef | null };

export const MEMORYD = defineProtocol('memoryd', {
  'ns.create': op<{ name?: string; shared?: boolean; quota?: NamespaceQuota }, { ns: NamespaceSummary; existed: boolean; handle: number }>(
    ['EINVAL', 'EACCES', 'EQUOTA'], 'creates (or opens, by name) a namespace of the caller; the reply carries its handle at index `handle`'),
  'ns.list': op<Record<string, never>, NamespaceSummary[]>([], 'the namespaces the caller owns or can reach'),
  put: op<Ns & { text: string; data?: JsonValue; tags?: string[]; key?: string; ttlMs?: number; provenance?: Provenance }, { id: string; ns: string; version: number; created: boolean; changed: boolean }>(
    ['EINVAL', 'EACCES', 'EBADF', 'EQUOTA', 'EMSGSIZE'], 'stores an item (idempotent by key)'),
  get: op<Ns & { item?: string; itemId?: string; key?: string }, MemoryRecord | null>(['EINVAL', 'EACCES', 'EBADF', 'ENOENT'], 'one item by id or key (null when absent)'),
  update: op<Ns & { item: string; patch: MemoryPatch; expectedVersion?: number }, MemoryRecord>(
    ['EINVAL', 'EACCES', 'EBADF', 'ENOENT', 'ECONFLICT', 'EQUOTA'], 'patches an item (optimistic with expectedVersion)'),
  delete: op<Ns & { item: string; expectedVersion?: number }, { deleted: boolean }>(['EINVAL', 'EACCES', 'EBADF', 'ECONFLICT'], 'deletes an item'),
  search: op<{ ns?: NsRef | null | Array<NsRef | null>; query: string; k?: number; mode?: MemorySearchMode; filter?: MemoryFilter }, MemoryWireHit[]>(
    ['EINVAL', 'EACCES', 'EBADF', 'ENOENT', 'EMSGSIZE'], 'hybrid search over one or more namespaces, best first'),
  subscribe: op<Ns & { since?: number }, { sub: string; ns: string }>(['EINVAL', 'EACCES', 'EBADF', 'ENOENT'], 'pushes ChangeEvents to the reply handle'),
  unsubscribe: op<{ sub: string }, { closed: boolean }>(['EINVAL', 'ENOENT'], 'ends a subscription'),
  export: op<Ns & { cursor?: string; withEmbeddings?: boolean }, { lines: string[]; cursor: string | null }>(
    ['EINVAL', 'EACCES', 'EBADF', 'ENOENT', 'EMSGSIZE'], 'one page of JSONL lines; call again with the cursor until it is null'),
  import: op<Ns & { lines: string | string[]; firstLine?: number }, { ns: string; imported: number; updated: number; unchanged: number; skipped: Array<{ line: number; code: string; message: string }> }>(
    ['EINVAL', 'EACCES', 'EBADF', 'EQUOTA'], 'imports JSONL lines'),
  stats: op<Ns, NamespaceStats & { ns: string }>(['EINVAL', 'EACCES', 'EBADF', 'ENOENT'], 'item count, bytes and change-feed seq of a namespace'),
  // job: when given (at most 64 characters), memoryd publishes `user.<memoryd>.progress` events { job, op, ns, done, total }.
  reembed: op<Ns & { job?: string }, { ns: string; count: number }>(['EINVAL', 'EACCES', 'EBADF', 'ENOENT'], "moves a namespace to the node's current embedder (admin right)"),
});

export type MemorydOp = OpName<typeof MEMORYD>;
/** memoryd's ops, derived from the table. */
export const MEMORYD_OPS = Object.keys(MEMORYD.ops) as readonly MemorydOp[];

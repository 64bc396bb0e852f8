// The storage device: durable kernel state (key-value + queues) and memory-fabric items.
// Types only (abi imports nothing but its own files). Implemented by drivers/storage-sqlite and
// drivers/storage-memory today, a Postgres/pgvector driver later; services/memoryd builds policy on top.
import type { Driver } from './devices.ts';

// ─── Face A: durable kernel state ──────────────────────────────────────────────────────────────

/** One key-value row. Keys are UTF-8 strings ordered by code unit; values are opaque bytes. */
export interface KvEntry {
  key: string;
  value: Uint8Array;
}

export interface KvScanOptions {
  /** Return only keys strictly greater than this one (cursor for paging). */
  after?: string;
  /** At most this many entries (default: all). */
  limit?: number;
}

/** One message in a durable queue. seq is strictly increasing per queue and never reused, even after ack. */
export interface QueueEntry {
  queue: string;
  seq: number;
  value: Uint8Array;
}

export interface QueueInfo {
  queue: string;
  /** Messages appended and not yet acknowledged. */
  pending: number;
  /** Highest seq ever appended (0 if none). */
  lastSeq: number;
}

/** One operation of an atomic batch. */
export type KvOp =
  | { op: 'put'; key: string; value: Uint8Array }
  | { op: 'delete'; key: string }
  | { op: 'append'; queue: string; value: Uint8Array }
  | { op: 'ack'; queue: string; seq: number };

/** Result of a batch: for each op, the seq of an 'append', true/false for 'delete' and 'ack', null for 'put'. */
export type KvOpResult = number | boolean | null;

/**
 * Transactional key-value store with prefix scans and per-name append-only queues.
 * Contract: when a returned promise resolves, the write is durable (survives a process kill; on SQLite
 * with synchronous=FULL also a power loss). A batch is all-or-nothing. Reads see every resolved write.
 */
export interface DurableStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** Returns true if the key existed. */
  delete(key: string): Promise<boolean>;
  /** Entries whose key starts with prefix, ascending by key. '' scans everything. */
  scan(prefix: string, options?: KvScanOptions): Promise<KvEntry[]>;
  /** Runs every op in one transaction; throws (and applies nothing) if any op is invalid. */
  batch(ops: readonly KvOp[]): Promise<KvOpResult[]>;
  /** Appends to a queue (e.g. "mbox/<agentId>"); returns the message's seq. */
  append(queue: string, value: Uint8Array): Promise<number>;
  /** Removes one message; returns false if it was not pending. */
  ack(queue: string, seq: number): Promise<boolean>;
  /** Pending messages in seq order, oldest first. after: only seq > after. */
  pending(queue: string, options?: { after?: number; limit?: number }): Promise<QueueEntry[]>;
  /** Queues whose name starts with prefix and that have pending messages, ascending by name. */
  queues(prefix: string): Promise<QueueInfo[]>;
}

// ─── Face B: memory-fabric items ───────────────────────────────────────────────────────────────

/** JSON value as stored in item data and provenance. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface NamespaceRecord {
  /** Unique id, [A-Za-z0-9._:-]{1,128}. */
  id: string;
  /** Agent id that owns it. */
  owner: string;
  /** Name of the embedder whose vectors the items carry, and its dimension. */
  embedder: string;
  dim: number;
  /** Creation time, ms since epoch (from the caller's clock). */
  created: number;
  /** Free-form settings kept by the fabric (sharing, quotas). */
  meta: { [key: string]: JsonValue };
}

/** Where an item came from: free-form, e.g. { source: 'chat', message: 12 }. */
export type Provenance = { [key: string]: JsonValue };

export interface MemoryItem {
  id: string;
  ns: string;
  /** Optional caller key, unique within the namespace (idempotent put). */
  key?: string;
  text: string;
  data: JsonValue;
  /** Unit-length vector of the namespace's dim, or undefined if none was stored. */
  embedding?: Float32Array;
  tags: string[];
  /** Agent id that wrote the current version. */
  author: string;
  provenance: Provenance;
  created: number;
  updated: number;
  /** ms since epoch after which the item is expired; undefined = never. */
  expiresAt?: number;
  /** 1 on creation, +1 on every change. */
  version: number;
  /** Namespace change-feed seq of the last change to this item. */
  seq: number;
}

/** What a caller supplies to put an item. */
export interface ItemInput {
  /** Proposed id; ignored when an item with the same key already exists. */
  id: string;
  ns: string;
  key?: string;
  text: string;
  data?: JsonValue;
  embedding?: Float32Array;
  tags?: string[];
  author: string;
  provenance?: Provenance;
  /** Time of the write (ms). */
  now: number;
  expiresAt?: number;
}

/**
 * Result of put. Rule for an existing key: if text, data, tags, embedding and expiresAt are all equal,
 * nothing changes (created=false, changed=false, same version); otherwise the item keeps its id and
 * created time, takes the new fields, and its version increments (created=false, changed=true).
 */
export interface PutResult {
  item: MemoryItem;
  created: boolean;
  changed: boolean;
}

/** Fields an update may change; absent fields are kept. expiresAt: null clears it. */
export interface ItemPatch {
  text?: string;
  data?: JsonValue;
  embedding?: Float32Array;
  tags?: string[];
  provenance?: Provenance;
  expiresAt?: number | null;
}

export interface ItemFilter {
  /** Item must carry every one of these tags. */
  tags?: string[];
  /** Item must carry at least one of these tags. */
  anyTags?: string[];
  /** Top-level fields of data (an object) must equal these scalar values. */
  where?: { [field: string]: string | number | boolean | null };
  author?: string;
  /** Exclude items with expiresAt <= now. */
  now?: number;
}

export interface SearchHit {
  id: string;
  ns: string;
  /** Larger is better. Text: -bm25 (positive); vector: cosine similarity. */
  score: number;
}

export type ChangeOp = 'put' | 'update' | 'delete' | 'expire';

export interface ChangeRecord {
  ns: string;
  seq: number;
  op: ChangeOp;
  id: string;
  key?: string;
  /** Version after the change (the deleted version for delete/expire). */
  version: number;
  at: number;
}

export interface NamespaceStats {
  items: number;
  /** Sum of item sizes: UTF-8 bytes of text, key, JSON data, tags, provenance + 4 * dim. */
  bytes: number;
  /** Last change-feed seq (0 if none). */
  seq: number;
}

export interface ListOptions {
  /** Items with created-order position after this item id (cursor), as returned by the previous page. */
  after?: string;
  limit?: number;
  filter?: ItemFilter;
}

/**
 * Memory items by namespace. Vectors are compared by cosine similarity; text search is BM25 over
 * text and tags. All ids are scoped by namespace: (ns, id) addresses an item.
 */
export interface MemoryStore {
  createNamespace(ns: NamespaceRecord): Promise<void>;
  getNamespace(id: string): Promise<NamespaceRecord | undefined>;
  listNamespaces(owner?: string): Promise<NamespaceRecord[]>;
  /** Replaces meta (and embedder/dim through setEmbeddings). */
  updateNamespaceMeta(id: string, meta: NamespaceRecord['meta']): Promise<void>;
  /** Deletes the namespace, its items and its change feed. */
  deleteNamespace(id: string): Promise<boolean>;

  /** Idempotent by key (see PutResult). EINVAL if the embedding's length differs from the namespace dim. */
  putItem(input: ItemInput): Promise<PutResult>;
  /** Several puts in one transaction (all or nothing). */
  putItems(inputs: readonly ItemInput[]): Promise<PutResult[]>;
  getItem(ns: string, id: string): Promise<MemoryItem | undefined>;
  /**
   * Several items of one namespace in one read, in the order of `ids` (undefined where there is none): what a
   * search uses to fetch its hits. At most limits.STORAGE_GET_ITEMS_MAX ids, else EINVAL.
   */
  getItems(ns: string, ids: readonly string[]): Promise<Array<MemoryItem | undefined>>;
  getByKey(ns: string, key: string): Promise<MemoryItem | undefined>;
  /**
   * Applies patch. If expectedVersion is given and differs: AiosError ECONFLICT { expected, actual }.
   * ENOENT if the item does not exist.
   */
  updateItem(ns: string, id: string, patch: ItemPatch, opts: { author: string; now: number; expectedVersion?: number }): Promise<MemoryItem>;
  /** Returns false if it did not exist. ECONFLICT as updateItem when expectedVersion differs. */
  deleteItem(ns: string, id: string, opts: { now: number; expectedVersion?: number }): Promise<boolean>;
  /** Items in creation order. */
  listItems(ns: string, options?: ListOptions): Promise<MemoryItem[]>;

  /** BM25 full-text search over one or more namespaces, best first. */
  textSearch(ns: readonly string[], query: string, k: number, filter?: ItemFilter): Promise<SearchHit[]>;
  /** k nearest by cosine over one or more namespaces (same dim); ANN on large namespaces, exact on small. */
  vectorSearch(ns: readonly string[], query: Float32Array, k: number, filter?: ItemFilter): Promise<SearchHit[]>;

  /** Change feed: records with seq > since, ascending, at most limit (default 1000). */
  changesSince(ns: string, since: number, limit?: number): Promise<ChangeRecord[]>;
  /** Deletes every item with expiresAt <= now (recording 'expire' changes); returns how many. */
  sweepExpired(now: number, limit?: number): Promise<number>;
  /** The earliest expiresAt of any item (expired or not), or null when no item expires: when a sweep is next due. */
  nextExpiry(): Promise<number | null>;
  stats(ns: string): Promise<NamespaceStats>;
  /**
   * Replaces the embeddings of the given items and records the namespace's new embedder and dim, in
   * one transaction (re-embedding). Items not listed keep their vectors only if dim is unchanged;
   * otherwise their vector is dropped. Missing ids are ignored. Returns how many items were updated.
   */
  setEmbeddings(ns: string, embedder: string, dim: number, vectors: ReadonlyMap<string, Float32Array>): Promise<number>;
}

/** A storage device on the bus: both faces behind one driver (one file / one database). */
export interface StorageDriver extends Driver, DurableStore, MemoryStore {
  /** Writes any in-memory index state (e.g. ANN files) so the next open is fast. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

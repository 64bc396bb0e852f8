// Pure helpers shared by the storage drivers (storage-memory and storage-sqlite): argument checks,
// item size accounting, filters, vector maths and the text tokenizer. Trusts nothing it is given.
import { AiosError, limits } from '@aios/abi';
import type { ItemFilter, ItemInput, JsonValue, MemoryItem, NamespaceRecord } from '@aios/abi';

const NS_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_KEY_LENGTH = 1024;
export const MAX_TEXT_BYTES = 1 << 20;
const utf8 = new TextEncoder();

/** Checks the ids of a getItems() call (a list of at most limits.STORAGE_GET_ITEMS_MAX strings; EINVAL otherwise). */
export function checkItemIds(ids: unknown): asserts ids is readonly string[] {
  if (!Array.isArray(ids) || ids.length > limits.STORAGE_GET_ITEMS_MAX || ids.some((x) => typeof x !== 'string')) {
    throw new AiosError('EINVAL', `ids must be a list of at most ${limits.STORAGE_GET_ITEMS_MAX} item ids`, { arg: 'ids', max: limits.STORAGE_GET_ITEMS_MAX });
  }
}

export function checkNsId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !NS_ID.test(id)) {
    throw new AiosError('EINVAL', 'namespace id must match [A-Za-z0-9._:-]{1,128}', { arg: 'ns', value: String(id) });
  }
}

export function checkNamespace(ns: NamespaceRecord): void {
  checkNsId(ns.id);
  if (typeof ns.owner !== 'string' || ns.owner === '') throw new AiosError('EINVAL', 'namespace owner required', { arg: 'owner' });
  if (typeof ns.embedder !== 'string') throw new AiosError('EINVAL', 'namespace embedder must be a string', { arg: 'embedder' });
  if (!Number.isInteger(ns.dim) || ns.dim < 1 || ns.dim > 4096) throw new AiosError('EINVAL', 'dim must be 1..4096', { arg: 'dim', value: ns.dim });
}

/** Store keys (kv) and queue names: non-empty strings up to MAX_KEY_LENGTH. */
export function checkKey(key: unknown, arg = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AiosError('EINVAL', `${arg} must be a non-empty string of at most ${MAX_KEY_LENGTH} chars`, { arg });
  }
}

export function checkBytes(value: unknown, arg = 'value'): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new AiosError('EINVAL', `${arg} must be a Uint8Array`, { arg });
}

export function checkSeq(seq: unknown): asserts seq is number {
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new AiosError('EINVAL', 'seq must be a non-negative integer', { arg: 'seq' });
}

export function checkK(k: unknown): asserts k is number {
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > 10_000) throw new AiosError('EINVAL', 'k must be 1..10000', { arg: 'k', value: k });
}

export function checkTags(tags: unknown): asserts tags is string[] {
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 256)) {
    throw new AiosError('EINVAL', 'tags must be an array of non-empty strings (<= 256 chars)', { arg: 'tags' });
  }
}

export function checkEmbedding(v: unknown, dim: number): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) throw new AiosError('EINVAL', 'embedding must be a Float32Array', { arg: 'embedding' });
  if (v.length !== dim) throw new AiosError('EINVAL', 'embedding length differs from the namespace dim', { arg: 'embedding', expected: dim, actual: v.length });
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new AiosError('EINVAL', 'embedding has a non-finite value', { arg: 'embedding', index: i });
}

/** Checks a put's fields (not the namespace's existence). */
export function checkItemInput(input: ItemInput, dim: number): void {
  if (typeof input.id !== 'string' || input.id.length === 0 || input.id.length > 128) throw new AiosError('EINVAL', 'item id must be 1..128 chars', { arg: 'id' });
  if (input.key !== undefined) checkKey(input.key);
  if (typeof input.text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { arg: 'text' });
  if (utf8.encode(input.text).length > MAX_TEXT_BYTES) throw new AiosError('EMSGSIZE', 'text too large', { arg: 'text', limit: MAX_TEXT_BYTES });
  if (input.tags !== undefined) checkTags(input.tags);
  if (input.embedding !== undefined) checkEmbedding(input.embedding, dim);
  if (typeof input.author !== 'string' || input.author === '') throw new AiosError('EINVAL', 'author required', { arg: 'author' });
  if (!Number.isFinite(input.now)) throw new AiosError('EINVAL', 'now must be a number', { arg: 'now' });
  if (input.expiresAt !== undefined && !Number.isFinite(input.expiresAt)) throw new AiosError('EINVAL', 'expiresAt must be a number', { arg: 'expiresAt' });
}

/** JSON text of a value, EINVAL if it is not JSON-serialisable. */
export function toJson(v: JsonValue | undefined, arg: string): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v ?? null);
  } catch (e) {
    throw new AiosError('EINVAL', `${arg} is not JSON`, { arg }, { cause: e });
  }
  if (s === undefined) throw new AiosError('EINVAL', `${arg} is not JSON`, { arg });
  return s;
}

export function byteLength(s: string): number {
  return utf8.encode(s).length;
}

/** Size of an item as counted by quotas and stats (see NamespaceStats.bytes). */
export function itemBytes(it: { key?: string; text: string; data: JsonValue; tags: string[]; provenance: unknown; embedding?: Float32Array }): number {
  return (
    byteLength(it.text) +
    (it.key ? byteLength(it.key) : 0) +
    byteLength(JSON.stringify(it.data ?? null)) +
    byteLength(JSON.stringify(it.tags)) +
    byteLength(JSON.stringify(it.provenance ?? {})) +
    (it.embedding ? it.embedding.length * 4 : 0)
  );
}

export function sameVector(a: Float32Array | undefined, b: Float32Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when a put would not change the existing item (see PutResult). */
export function sameContent(existing: MemoryItem, input: ItemInput): boolean {
  return (
    existing.text === input.text &&
    JSON.stringify(existing.data) === JSON.stringify(input.data ?? null) &&
    JSON.stringify(existing.tags) === JSON.stringify(input.tags ?? []) &&
    existing.expiresAt === input.expiresAt &&
    sameVector(existing.embedding, input.embedding)
  );
}

/** Does an item pass a filter? Items missing fields never match a condition on them. */
export function matchesFilter(item: { tags: string[]; data: JsonValue; author: string; expiresAt?: number }, f: ItemFilter | undefined): boolean {
  if (!f) return true;
  if (f.now !== undefined && item.expiresAt !== undefined && item.expiresAt <= f.now) return false;
  if (f.author !== undefined && item.author !== f.author) return false;
  if (f.tags && !f.tags.every((t) => item.tags.includes(t))) return false;
  if (f.anyTags && f.anyTags.length > 0 && !f.anyTags.some((t) => item.tags.includes(t))) return false;
  if (f.where) {
    const d = item.data;
    if (d === null || typeof d !== 'object' || Array.isArray(d)) return false;
    for (const [k, v] of Object.entries(f.where)) if (!Object.hasOwn(d, k) || d[k] !== v) return false;
  }
  return true;
}

export function hasFilter(f: ItemFilter | undefined): boolean {
  return !!f && (f.now !== undefined || f.author !== undefined || !!f.tags?.length || !!f.anyTags?.length || !!f.where);
}

/** Unit-length copy of v (a zero vector stays zero). */
export function normalized(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function vecToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function blobToVec(b: Uint8Array): Float32Array {
  // Copy: the blob's buffer may be unaligned or shared.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Lower-case word tokens (letters and digits), the same tokens FTS5's unicode61 tokenizer sees. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Very common English function words, dropped from text queries (not from the index): they match nearly
 *  every document and only add noise to an OR-ed BM25 query. A query of nothing but these keeps them. */
const STOPWORDS = new Set(
  ('a an and are as at be but by can do does for from has have how i if in into is it its me my of on or our so ' +
    'that the their them then there these they this to was we what when where which who why will with you your').split(' '),
);

/** Distinct query terms for text search: tokenize(), minus stopwords unless nothing else is left. */
export function queryTerms(text: string): string[] {
  const all = [...new Set(tokenize(text))];
  const kept = all.filter((t) => !STOPWORDS.has(t));
  return kept.length > 0 ? kept : all;
}

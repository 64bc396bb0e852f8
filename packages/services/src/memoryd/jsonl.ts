// JSON Lines export/import of a memory namespace. Line 1 is a header; each further line is one item.
// Import trusts nothing in the file: every line is checked, and bad lines are reported, not thrown.
import type { JsonValue, MemoryItem, NamespaceRecord, Provenance } from '@aios/abi';

export const EXPORT_FORMAT = 'aios-memory-export';
export const EXPORT_VERSION = 1;

export interface ExportOptions {
  /** Include vectors (base64 of little-endian float32). Import ignores them and re-embeds. */
  withEmbeddings?: boolean;
}

export interface ImportResult {
  imported: number;
  updated: number;
  unchanged: number;
  /** Lines not imported, 1-based, with the error code. */
  skipped: { line: number; code: string; message: string }[];
}

/** What an import line becomes (the same shape as the fabric's PutRequest). */
export interface ImportRequest {
  key?: string;
  text: string;
  data?: JsonValue;
  tags?: string[];
  provenance?: Provenance;
  expiresAt?: number;
}

export async function* exportLines(
  ns: NamespaceRecord,
  page: (after: string | undefined) => Promise<MemoryItem[]>,
  o: ExportOptions,
): AsyncGenerator<string> {
  yield JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, ns: ns.id, embedder: ns.embedder, dim: ns.dim });
  let after: string | undefined;
  for (;;) {
    const items = await page(after);
    if (items.length === 0) return;
    for (const it of items) {
      const { embedding, seq: _seq, ns: _ns, ...rest } = it;
      const line: Record<string, unknown> = { ...rest };
      if (o.withEmbeddings && embedding) line['embedding'] = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength).toString('base64');
      yield JSON.stringify(line);
    }
    after = items[items.length - 1]!.id;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Parses one line. Items keep key, text, data, tags and expiresAt; the original id, author and created
 * time are kept under provenance.imported (ids are assigned anew; keyed items are idempotent on re-import).
 */
export function parseImportLine(line: string): 'header' | { error: string } | { req: ImportRequest } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  if (!isObj(v)) return { error: 'not an object' };
  if (v['format'] === EXPORT_FORMAT) return v['version'] === EXPORT_VERSION ? 'header' : { error: 'unsupported export version' };
  if (typeof v['text'] !== 'string') return { error: 'text must be a string' };
  const req: ImportRequest = { text: v['text'] };
  if (v['key'] !== undefined) {
    if (typeof v['key'] !== 'string') return { error: 'key must be a string' };
    req.key = v['key'];
  }
  if (v['data'] !== undefined) req.data = v['data'] as JsonValue;
  if (v['tags'] !== undefined) {
    if (!Array.isArray(v['tags']) || v['tags'].some((t) => typeof t !== 'string')) return { error: 'tags must be strings' };
    req.tags = v['tags'] as string[];
  }
  if (v['expiresAt'] !== undefined) {
    if (typeof v['expiresAt'] !== 'number') return { error: 'expiresAt must be a number' };
    req.expiresAt = v['expiresAt'];
  }
  const prov = isObj(v['provenance']) ? (v['provenance'] as Provenance) : {};
  const imported: { [k: string]: JsonValue } = {};
  for (const f of ['id', 'author', 'created'] as const) if (typeof v[f] === 'string' || typeof v[f] === 'number') imported[f] = v[f] as JsonValue;
  req.provenance = { ...prov, imported };
  return { req };
}

// In-memory vector index of one namespace: exact (brute force over unit vectors) while small, HNSW
// (hnswlib-node) once it reaches `exactLimit` items. Labels are item rowids (never reused).
// Trusts its caller (the SQLite driver) to feed it every vector change of the namespace.
import hnswlib from 'hnswlib-node';
import { existsSync, unlinkSync, renameSync } from 'node:fs';
import { dot, normalized } from '../storage-memory/shared.ts';

export interface HnswParams {
  /** Graph degree (default 16). */
  m: number;
  /** Build-time candidate list (default 200). */
  efConstruction: number;
  /** Search-time candidate list, raised to k when smaller (default 96). */
  efSearch: number;
  /** Below this many vectors the index is exact (default 5000). */
  exactLimit: number;
}

export const DEFAULT_HNSW: HnswParams = { m: 16, efConstruction: 200, efSearch: 96, exactLimit: 5000 };

export interface Neighbor {
  label: number;
  /** Cosine similarity. */
  score: number;
}

export class NsVectorIndex {
  private exact: Map<number, Float32Array> | undefined = new Map();
  private hnsw: hnswlib.HierarchicalNSW | undefined;
  private live = 0;
  /** True when the HNSW graph changed since it was last written to disk. */
  dirty = false;

  constructor(
    readonly dim: number,
    private readonly params: HnswParams,
  ) {}

  get size(): number {
    return this.live;
  }

  get isAnn(): boolean {
    return this.hnsw !== undefined;
  }

  /** Adds or replaces the vector of a label. */
  upsert(label: number, v: Float32Array): void {
    const u = normalized(v);
    if (this.exact) {
      if (!this.exact.has(label)) this.live++;
      this.exact.set(label, u);
      if (this.live >= this.params.exactLimit) this.promote();
      return;
    }
    const h = this.hnsw!;
    if (h.getCurrentCount() >= h.getMaxElements()) h.resizeIndex(Math.max(1024, h.getMaxElements() * 2));
    let had = false;
    try {
      h.unmarkDelete(label);
      had = true;
    } catch {
      // label unknown or not deleted; addPoint handles both new and live labels
      had = this.hasLive(label);
    }
    h.addPoint(Array.from(u), label);
    if (!had) this.live++;
    this.dirty = true;
  }

  remove(label: number): void {
    if (this.exact) {
      if (this.exact.delete(label)) this.live--;
      return;
    }
    try {
      this.hnsw!.markDelete(label);
      this.live--;
      this.dirty = true;
    } catch {
      // unknown or already deleted: nothing to do
    }
  }

  /** Best `k` labels by cosine; `accept` filters labels (applied inside the search for HNSW). */
  search(query: Float32Array, k: number, accept?: (label: number) => boolean): Neighbor[] {
    const q = normalized(query);
    if (this.exact) {
      const out: Neighbor[] = [];
      for (const [label, v] of this.exact) {
        if (accept && !accept(label)) continue;
        out.push({ label, score: dot(q, v) });
      }
      out.sort((a, b) => b.score - a.score || a.label - b.label);
      return out.slice(0, k);
    }
    const h = this.hnsw!;
    h.setEf(Math.max(this.params.efSearch, k));
    const res = h.searchKnn(Array.from(q), Math.min(k, Math.max(1, this.live)), accept);
    return res.neighbors.map((label, i) => ({ label, score: 1 - res.distances[i]! }));
  }

  /** Writes the HNSW graph to `file` (atomically, via a temp file). No-op for an exact index. */
  save(file: string): boolean {
    if (!this.hnsw) return false;
    const tmp = `${file}.tmp`;
    this.hnsw.writeIndexSync(tmp);
    renameSync(tmp, file);
    this.dirty = false;
    return true;
  }

  /** Loads a graph written by save(); `live` is the number of live vectors it holds. */
  static load(file: string, dim: number, params: HnswParams, live: number): NsVectorIndex {
    const idx = new NsVectorIndex(dim, params);
    const h = new hnswlib.HierarchicalNSW('cosine', dim);
    h.readIndexSync(file, false);
    idx.exact = undefined;
    idx.hnsw = h;
    idx.live = live;
    return idx;
  }

  static removeFile(file: string): void {
    if (existsSync(file)) unlinkSync(file);
  }

  private hasLive(label: number): boolean {
    try {
      this.hnsw!.getPoint(label);
      return true;
    } catch {
      return false;
    }
  }

  private promote(): void {
    const h = new hnswlib.HierarchicalNSW('cosine', this.dim);
    h.initIndex(Math.max(1024, this.live * 2), this.params.m, this.params.efConstruction, 100, false);
    for (const [label, v] of this.exact!) h.addPoint(Array.from(v), label);
    this.hnsw = h;
    this.exact = undefined;
    this.dirty = true;
  }
}

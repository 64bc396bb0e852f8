// In-memory vector index of one namespace: exact (brute force over unit vectors) while small, HNSW
// (hnswlib-node) once it reaches `exactLimit` vectors. Writes to an HNSW index land first in an exact
// delta buffer that searches scan too, and are moved into the graph by drain() (in the background), so
// inserts stay fast and searches always see every write. Labels are item rowids (never reused).
import hnswlib from 'hnswlib-node';
import { existsSync, unlinkSync, renameSync } from 'node:fs';
import { dot, normalized } from '../storage-memory/shared.ts';

export interface HnswParams {
  /** Graph degree (default 16). */
  m: number;
  /** Build-time candidate list (default 100). */
  efConstruction: number;
  /** Search-time candidate list, raised to k when smaller (default 96). */
  efSearch: number;
  /** Below this many vectors the index is exact (default 5000). */
  exactLimit: number;
}

export const DEFAULT_HNSW: HnswParams = { m: 16, efConstruction: 100, efSearch: 96, exactLimit: 5000 };

export interface Neighbor {
  label: number;
  /** Cosine similarity. */
  score: number;
}

export class NsVectorIndex {
  private exact: Map<number, Float32Array> | undefined = new Map();
  private hnsw: hnswlib.HierarchicalNSW | undefined;
  /** HNSW mode: writes not yet in the graph (undefined = deleted). Searches prefer these over the graph. */
  private readonly delta = new Map<number, Float32Array | undefined>();
  /** True when the HNSW graph changed since it was last written to disk. */
  dirty = false;

  constructor(
    readonly dim: number,
    private readonly params: HnswParams,
  ) {}

  get isAnn(): boolean {
    return this.hnsw !== undefined;
  }

  /** Writes waiting to enter the graph. */
  get backlog(): number {
    return this.delta.size;
  }

  /** Adds or replaces the vector of a label. */
  upsert(label: number, v: Float32Array): void {
    const u = normalized(v);
    if (this.exact) {
      this.exact.set(label, u);
      if (this.exact.size >= this.params.exactLimit) this.promote();
      return;
    }
    this.delta.set(label, u);
  }

  remove(label: number): void {
    if (this.exact) {
      this.exact.delete(label);
      return;
    }
    this.delta.set(label, undefined);
  }

  /** Moves up to `max` buffered writes into the graph; returns how many remain. */
  drain(max = Infinity): number {
    const h = this.hnsw;
    if (!h) return 0;
    let n = 0;
    for (const [label, u] of this.delta) {
      if (n++ >= max) break;
      this.delta.delete(label);
      this.dirty = true;
      if (u === undefined) {
        try {
          h.markDelete(label);
        } catch {
          // not in the graph (or already deleted): nothing to do
        }
        continue;
      }
      if (h.getCurrentCount() >= h.getMaxElements()) h.resizeIndex(Math.max(1024, h.getMaxElements() * 2));
      // Inserts a new label or replaces the vector of a known one (hnswlib revives a deleted label itself).
      h.addPoint(Array.from(u), label);
    }
    return this.delta.size;
  }

  /** Best `k` labels by cosine; `accept` filters labels (applied inside the graph search for HNSW). */
  search(query: Float32Array, k: number, accept?: (label: number) => boolean): Neighbor[] {
    const q = normalized(query);
    const scan = (entries: Iterable<[number, Float32Array | undefined]>): Neighbor[] => {
      const out: Neighbor[] = [];
      for (const [label, v] of entries) {
        if (v === undefined || (accept && !accept(label))) continue;
        out.push({ label, score: dot(q, v) });
      }
      return out;
    };
    if (this.exact) return top(scan(this.exact), k);
    const h = this.hnsw!;
    h.setEf(Math.max(this.params.efSearch, k));
    const delta = this.delta;
    const graphAccept = delta.size === 0 ? accept : (l: number) => !delta.has(l) && (!accept || accept(l));
    const res = h.getCurrentCount() === 0 ? { neighbors: [], distances: [] } : h.searchKnn(Array.from(q), k, graphAccept);
    const fromGraph = res.neighbors.map((label, i) => ({ label, score: 1 - res.distances[i]! }));
    return top([...fromGraph, ...scan(delta)], k);
  }

  /** Writes the HNSW graph to `file` (atomically, via a temp file), draining the buffer first. */
  save(file: string): boolean {
    if (!this.hnsw) return false;
    this.drain();
    const tmp = `${file}.tmp`;
    this.hnsw.writeIndexSync(tmp);
    renameSync(tmp, file);
    this.dirty = false;
    return true;
  }

  /** Loads a graph written by save(). */
  static load(file: string, dim: number, params: HnswParams): NsVectorIndex {
    const idx = new NsVectorIndex(dim, params);
    const h = new hnswlib.HierarchicalNSW('cosine', dim);
    h.readIndexSync(file, false);
    idx.exact = undefined;
    idx.hnsw = h;
    return idx;
  }

  static removeFile(file: string): void {
    if (existsSync(file)) unlinkSync(file);
  }

  /** Switches to HNSW: an empty graph, with every vector in the buffer (drained in the background). */
  private promote(): void {
    const h = new hnswlib.HierarchicalNSW('cosine', this.dim);
    h.initIndex(Math.max(1024, this.exact!.size * 2), this.params.m, this.params.efConstruction, 100, false);
    for (const [label, u] of this.exact!) this.delta.set(label, u);
    this.hnsw = h;
    this.exact = undefined;
    this.dirty = true;
  }
}

function top(xs: Neighbor[], k: number): Neighbor[] {
  xs.sort((a, b) => b.score - a.score || a.label - b.label);
  return xs.slice(0, k);
}

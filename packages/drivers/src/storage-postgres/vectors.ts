// The in-process vector indexes of the Postgres device (one NsVectorIndex per namespace, exact while small,
// HNSW past exactLimit), kept current with the database by the writes of this node (applyLocal, after commit)
// and by the notifications of other nodes (applyRemote, which re-reads the rows: state, not deltas).
// Every label carries the change-feed seq of the state it holds, so an older state never overwrites a newer
// one whatever order the updates arrive in. Built lazily from the database on the first search.
import { NsVectorIndex, type HnswParams } from '../storage-sqlite/vectors.ts';
import { blobToVec } from '../storage-memory/shared.ts';
import type { Db } from './db.ts';

/** Vectors moved into an HNSW graph per event-loop turn by the background drain. */
const DRAIN_CHUNK = 256;

/** One vector change: the item's rowid (label), the change seq, and its vector (undefined: none any more). */
export interface VecChange {
  label: number;
  seq: number;
  vec: Float32Array | undefined;
}

interface Entry {
  index: NsVectorIndex;
  /** Seq of the state each label holds (also of removals, so a late older update is ignored). */
  seen: Map<number, number>;
}

export class PgVectorIndexes {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<Entry>>();
  /** Changes seen while a namespace's index was being built: replayed (re-read) once it is in. */
  private readonly during = new Map<string, Map<number, number>>();
  /** Bumped by reset(): a build started before a reset is not kept. */
  private readonly gen = new Map<string, number>();
  private drainTimer: NodeJS.Immediate | undefined;
  /** Whether indexes may be cached: false while the change feed (LISTEN) is down, so nothing goes stale. */
  live = true;
  /** Indexes built from the database, and remote changes applied (for tests and operators). */
  readonly stats = { builds: 0, remoteApplied: 0 };

  constructor(
    private readonly db: Db,
    private readonly params: HnswParams,
  ) {}

  /** The namespace's index, built from the database when not cached. */
  async ensure(ns: string, dim: number): Promise<NsVectorIndex> {
    const have = this.entries.get(ns);
    if (have && have.index.dim === dim) return have.index;
    if (!this.live) return (await this.build(ns, dim)).index;
    let p = this.building.get(ns);
    if (!p) {
      const g = this.gen.get(ns) ?? 0;
      this.during.set(ns, new Map());
      p = this.build(ns, dim).then(async (e) => {
        const seen = this.during.get(ns);
        this.during.delete(ns);
        this.building.delete(ns);
        if ((this.gen.get(ns) ?? 0) !== g || !this.live) return e; // reset meanwhile: use once, do not keep
        this.entries.set(ns, e);
        if (seen && seen.size > 0) await this.refresh(ns, seen);
        return e;
      });
      p.catch(() => {
        this.during.delete(ns);
        this.building.delete(ns);
      });
      this.building.set(ns, p);
    }
    return (await p).index;
  }

  /** Applies this node's committed changes. */
  applyLocal(ns: string, changes: readonly VecChange[]): void {
    const pend = this.during.get(ns);
    if (pend) for (const c of changes) pend.set(c.label, Math.max(pend.get(c.label) ?? 0, c.seq));
    const e = this.entries.get(ns);
    if (!e) return;
    for (const c of changes) this.set(e, c);
    this.scheduleDrain();
  }

  /** Applies another node's committed changes (labels and seqs), reading the current rows. */
  async applyRemote(ns: string, changes: ReadonlyArray<readonly [number, number]>): Promise<void> {
    const pend = this.during.get(ns);
    if (pend) for (const [label, seq] of changes) pend.set(label, Math.max(pend.get(label) ?? 0, seq));
    if (!this.entries.has(ns)) return;
    await this.refresh(ns, new Map(changes));
    this.stats.remoteApplied += changes.length;
  }

  /** Drops a namespace's index (re-embedding, deletion, or changes that may have been missed). */
  reset(ns: string): void {
    this.gen.set(ns, (this.gen.get(ns) ?? 0) + 1);
    this.entries.delete(ns);
  }

  resetAll(): void {
    for (const ns of new Set([...this.entries.keys(), ...this.building.keys()])) this.reset(ns);
  }

  stop(): void {
    if (this.drainTimer) clearImmediate(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** Re-reads the given labels and applies their current state (a missing row or vector is a removal). */
  private async refresh(ns: string, labels: ReadonlyMap<number, number>): Promise<void> {
    const ids = [...labels.keys()];
    const r = await this.db.read('vector refresh', (c) =>
      c.query<{ rowid: number; seq: number; embedding: Buffer | null }>(
        'SELECT rowid, seq, embedding FROM item WHERE ns = $1 AND rowid = ANY($2::bigint[])',
        [ns, ids],
      ),
    );
    const e = this.entries.get(ns);
    if (!e) return;
    const found = new Set<number>();
    for (const row of r.rows) {
      found.add(row.rowid);
      this.set(e, { label: row.rowid, seq: row.seq, vec: row.embedding && row.embedding.byteLength === e.index.dim * 4 ? blobToVec(row.embedding) : undefined });
    }
    for (const [label, seq] of labels) if (!found.has(label)) this.set(e, { label, seq, vec: undefined });
    this.scheduleDrain();
  }

  private set(e: Entry, c: VecChange): void {
    if ((e.seen.get(c.label) ?? 0) > c.seq) return;
    e.seen.set(c.label, c.seq);
    if (c.vec && c.vec.length === e.index.dim) e.index.upsert(c.label, c.vec);
    else e.index.remove(c.label);
  }

  private async build(ns: string, dim: number): Promise<Entry> {
    const r = await this.db.read('vector index build', (c) =>
      c.query<{ rowid: number; seq: number; embedding: Buffer }>(
        'SELECT rowid, seq, embedding FROM item WHERE ns = $1 AND embedding IS NOT NULL ORDER BY rowid',
        [ns],
      ),
    );
    const e: Entry = { index: new NsVectorIndex(dim, this.params), seen: new Map() };
    for (const row of r.rows) {
      if (row.embedding.byteLength !== dim * 4) continue;
      e.index.upsert(row.rowid, blobToVec(row.embedding));
      e.seen.set(row.rowid, row.seq);
    }
    e.index.drain(); // a build completes before the search that asked for it
    this.stats.builds++;
    return e;
  }

  private scheduleDrain(): void {
    if (this.drainTimer) return;
    this.drainTimer = setImmediate(() => {
      this.drainTimer = undefined;
      let left = 0;
      for (const e of this.entries.values()) left += e.index.drain(DRAIN_CHUNK);
      if (left > 0) this.scheduleDrain();
    });
    this.drainTimer.unref();
  }
}

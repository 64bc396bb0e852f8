// IntentRouter: routes free text to the registered (agent, intent) whose description and examples it is closest
// to, or refuses with ENOROUTE. Policy only: takes any EmbedderDriver (injected), trusts it for unit vectors of
// its declared dimension and checks that (EIO otherwise). Holds no agent handles; the caller sends the request.
import { AiosError } from '@aios/abi';
import type { EmbedderDriver, IntentManifest } from '@aios/abi';

/**
 * Default refusal threshold, calibrated with calibrateThreshold() on the dev split of data/intents.json
 * (utterances 10-13 of each intent + the first 70 out-of-scope utterances; never the test split) for the offline
 * embedder-wink with 10 examples per intent, see bench/semantic-routing.ts. Other embedders have other score
 * scales: calibrate theirs the same way and pass `threshold`.
 */
export const DEFAULT_THRESHOLD = 0.3; // dev calibration gave 0.296 (dev: in-scope acc 0.53, OOS recall 0.83)

/**
 * Scoring (documented contract): with q the query vector, e_i the intent's example vectors, d its description
 * vector and c = normalise(mean(e_i) + DESCRIPTION_WEIGHT · d) its centroid,
 *   score = EXAMPLE_BLEND · max_i cos(q, e_i) + (1 − EXAMPLE_BLEND) · cos(q, c).
 * An intent without examples scores with its description (or its name) alone. The centroid term is also stage 1:
 * only the `shortlist` intents with the highest centroid cosine get the (costlier) max-over-examples term.
 */
export const EXAMPLE_BLEND = 0.6;
export const DESCRIPTION_WEIGHT = 0.5;
/**
 * Share of the mean registered example vector removed from queries, examples and centroids before the cosine:
 * what all requests have in common ("can you", "please", "my") says nothing about which intent is meant.
 */
export const CENTERING = 1;
/** Stage-1 shortlist size: intents (distinct manifests) whose examples are compared to the query. */
export const DEFAULT_SHORTLIST = 32;
/** Bounds on a manifest, so one agent cannot make routing slow for everyone. */
export const MAX_EXAMPLES = 256;
export const MAX_TEXT_CHARS = 4096;

export interface RouteMatch {
  agent: number;
  intent: string;
  score: number;
}

export interface RouteResult {
  /** Highest-scoring (agent, intent); ties broken by lower agent id. */
  best: RouteMatch;
  /** Every agent serving best.intent under the same manifest, best first, so the caller can pick the least loaded. */
  instances: RouteMatch[];
  /** Top k distinct intent names (best agent of each), best first. */
  candidates: RouteMatch[];
}

export interface RouteOptions {
  /** Refuse below this score (default: the router's threshold). */
  threshold?: number;
  /** Number of candidates returned (default 5). */
  k?: number;
}

export interface IntentRouterOptions {
  embedder: EmbedderDriver;
  /** Synchronous embedding of one text in the embedder's space (e.g. embedder-wink's embedSync); used when given. */
  embedSync?: (text: string) => Float32Array;
  threshold?: number;
  shortlist?: number;
  exampleBlend?: number;
  descriptionWeight?: number;
  /** Subtract this share of the mean of all registered example vectors before comparing (default CENTERING). */
  centering?: number;
}

/** One distinct manifest (name + description + examples) and the agents registered with it. */
interface Slot {
  key: string;
  name: string;
  agents: number[];
  /** Example vectors (rows), or the description / name vector when there are no examples. */
  rows: Float32Array[];
  centroid: Float32Array;
}

export class IntentRouter {
  readonly threshold: number;
  private readonly embedder: EmbedderDriver;
  private readonly embedSyncFn: ((text: string) => Float32Array) | undefined;
  private readonly shortlist: number;
  private readonly blend: number;
  private readonly descWeight: number;
  private readonly centering: number;
  private readonly dim: number;
  private readonly slots = new Map<string, Slot>();
  /** (agent, intent name) -> slot key. */
  private readonly byAgent = new Map<number, Map<string, string>>();
  // Packed, rebuilt lazily after a change: centroids (S × dim), example rows (R × dim), rowStart (S + 1).
  private packed: { slots: Slot[]; centroids: Float32Array; rows: Float32Array; rowStart: Int32Array; mean: Float32Array } | null = null;

  constructor(opts: IntentRouterOptions) {
    if (!opts || !opts.embedder || !(opts.embedder.dim > 0)) throw new AiosError('EINVAL', 'an embedder with dim > 0 is required');
    this.embedder = opts.embedder;
    this.embedSyncFn = opts.embedSync;
    this.dim = opts.embedder.dim;
    this.threshold = checkThreshold(opts.threshold ?? DEFAULT_THRESHOLD);
    this.shortlist = opts.shortlist ?? DEFAULT_SHORTLIST;
    if (!Number.isInteger(this.shortlist) || this.shortlist < 1) throw new AiosError('EINVAL', 'shortlist must be a positive integer', { shortlist: this.shortlist });
    this.blend = opts.exampleBlend ?? EXAMPLE_BLEND;
    this.descWeight = opts.descriptionWeight ?? DESCRIPTION_WEIGHT;
    this.centering = opts.centering ?? CENTERING;
    if (!(this.centering >= 0 && this.centering <= 1)) throw new AiosError('EINVAL', 'centering must be in [0, 1]', { centering: this.centering });
    if (!(this.blend >= 0 && this.blend <= 1)) throw new AiosError('EINVAL', 'exampleBlend must be in [0, 1]', { exampleBlend: this.blend });
    if (!(this.descWeight >= 0)) throw new AiosError('EINVAL', 'descriptionWeight must be >= 0');
  }

  /** Number of registered (agent, intent) pairs. */
  get size(): number {
    let n = 0;
    for (const m of this.byAgent.values()) n += m.size;
    return n;
  }

  /**
   * Registers (or replaces) `intent` for `agentId`. Agents registering identical manifests share one slot and are
   * all returned as instances. EINVAL on a bad id or manifest, EMSGSIZE on too many or too long examples.
   */
  async register(agentId: number, intent: IntentManifest): Promise<void> {
    checkAgent(agentId);
    const { name, description, examples } = checkManifest(intent);
    const key = JSON.stringify([name, description, examples]);
    if (!this.slots.has(key)) {
      const texts = examples.length > 0 ? [...examples] : [];
      const descText = description || name.replace(/[_\-.]+/g, ' ');
      texts.push(descText);
      const vecs = await this.embedMany(texts);
      // Another register of the same manifest may have finished while we awaited.
      if (!this.slots.has(key)) {
        const desc = vecs[vecs.length - 1]!;
        const rows = examples.length > 0 ? vecs.slice(0, -1) : [desc];
        const centroid = new Float32Array(this.dim);
        if (examples.length > 0) {
          for (const r of rows) for (let i = 0; i < this.dim; i++) centroid[i]! += r[i]! / rows.length;
          if (description) for (let i = 0; i < this.dim; i++) centroid[i]! += this.descWeight * desc[i]!;
        } else centroid.set(desc);
        normalise(centroid);
        this.slots.set(key, { key, name, agents: [], rows, centroid });
      }
    }
    this.removePair(agentId, name);
    const slot = this.slots.get(key)!;
    slot.agents.push(agentId);
    slot.agents.sort((a, b) => a - b);
    let m = this.byAgent.get(agentId);
    if (!m) this.byAgent.set(agentId, (m = new Map()));
    m.set(name, key);
    this.packed = null;
  }

  /** Removes one intent of an agent, or all of its intents when `intentName` is omitted. Unknown pairs are a no-op. */
  unregister(agentId: number, intentName?: string): void {
    checkAgent(agentId);
    const m = this.byAgent.get(agentId);
    if (!m) return;
    const names = intentName === undefined ? [...m.keys()] : [intentName];
    for (const n of names) this.removePair(agentId, n);
  }

  /** Best route for `text`; ENOROUTE (detail.candidates) when nothing scores >= threshold. */
  async route(text: string, opts: RouteOptions = {}): Promise<RouteResult> {
    return this.routeVector(await this.embedQuery(text), opts);
  }

  /** Same as route() with the synchronous embedder (ENOSYS if none was given). */
  routeSync(text: string, opts: RouteOptions = {}): RouteResult {
    return this.routeVector(this.embedQuerySync(text), opts);
  }

  /** Top `k` distinct intents for `text` with their best agent, whatever their score. */
  async candidates(text: string, k = 5): Promise<RouteMatch[]> {
    return this.candidatesForVector(await this.embedQuery(text), k);
  }

  /** Every (agent, intent) scoring >= threshold for `text`, best first (for multicast requests). */
  async multicastTargets(text: string, threshold: number = this.threshold): Promise<RouteMatch[]> {
    checkThreshold(threshold);
    const q = await this.embedQuery(text);
    const out: RouteMatch[] = [];
    for (const s of this.scoreAll(q, Infinity)) {
      if (s.score < threshold) break;
      for (const agent of s.slot.agents) out.push({ agent, intent: s.slot.name, score: s.score });
    }
    return out;
  }

  /** Routes an already-embedded query (unit vector of the embedder's dim). */
  routeVector(q: Float32Array, opts: RouteOptions = {}): RouteResult {
    const threshold = checkThreshold(opts.threshold ?? this.threshold);
    const k = checkK(opts.k ?? 5);
    const scored = this.scoreAll(q, Math.max(k, 1));
    const candidates = this.toCandidates(scored, k);
    const top = scored[0];
    if (!top || top.score < threshold) {
      throw new AiosError('ENOROUTE', 'no registered intent matches the request', {
        threshold,
        candidates: candidates.map((c) => ({ ...c })),
      });
    }
    const instances = top.slot.agents.map((agent) => ({ agent, intent: top.slot.name, score: top.score }));
    return { best: instances[0]!, instances, candidates };
  }

  /** Top `k` distinct intent names for an embedded query. */
  candidatesForVector(q: Float32Array, k = 5): RouteMatch[] {
    checkK(k);
    return this.toCandidates(this.scoreAll(q, k), k);
  }

  // ---- internals ----

  private toCandidates(scored: Array<{ slot: Slot; score: number }>, k: number): RouteMatch[] {
    const seen = new Set<string>();
    const out: RouteMatch[] = [];
    for (const s of scored) {
      if (out.length >= k) break;
      if (seen.has(s.slot.name)) continue;
      seen.add(s.slot.name);
      out.push({ agent: s.slot.agents[0]!, intent: s.slot.name, score: s.score });
    }
    return out;
  }

  /**
   * Scores slots, best first: centroid cosine for all (stage 1), then the blended score for the top
   * max(shortlist, want) by centroid (stage 2). Slots outside the shortlist are not returned.
   */
  private scoreAll(q: Float32Array, want: number): Array<{ slot: Slot; score: number }> {
    if (q.length !== this.dim) throw new AiosError('EINVAL', `query vector has dimension ${q.length}, expected ${this.dim}`);
    const p = this.pack();
    const S = p.slots.length;
    const d = this.dim;
    q = Float32Array.from(q);
    centreRow(q, 0, d, p.mean);
    const m = Math.min(S, Number.isFinite(want) ? Math.max(this.shortlist, want) : S);
    // Stage 1: centroid cosines, keeping the top m in a small sorted array.
    const topIdx = new Int32Array(m);
    const topVal = new Float64Array(m).fill(-Infinity);
    const C = p.centroids;
    for (let s = 0; s < S; s++) {
      const dot = dotAt(q, C, s * d, d);
      if (dot > topVal[m - 1]!) {
        let j = m - 1;
        while (j > 0 && topVal[j - 1]! < dot) { topVal[j] = topVal[j - 1]!; topIdx[j] = topIdx[j - 1]!; j--; }
        topVal[j] = dot;
        topIdx[j] = s;
      }
    }
    // Stage 2: blend in the best example cosine.
    const R = p.rows;
    const out: Array<{ slot: Slot; score: number }> = [];
    for (let j = 0; j < m; j++) {
      const s = topIdx[j]!;
      let best = -Infinity;
      for (let r = p.rowStart[s]!; r < p.rowStart[s + 1]!; r++) {
        const dot = dotAt(q, R, r * d, d);
        if (dot > best) best = dot;
      }
      out.push({ slot: p.slots[s]!, score: this.blend * best + (1 - this.blend) * topVal[j]! });
    }
    out.sort((a, b) => b.score - a.score || a.slot.agents[0]! - b.slot.agents[0]! || (a.slot.key < b.slot.key ? -1 : 1));
    return out;
  }

  private pack(): NonNullable<IntentRouter['packed']> {
    if (this.packed) return this.packed;
    const slots = [...this.slots.values()].filter((s) => s.agents.length > 0);
    const d = this.dim;
    const centroids = new Float32Array(slots.length * d);
    const rowStart = new Int32Array(slots.length + 1);
    let nRows = 0;
    slots.forEach((s, i) => {
      centroids.set(s.centroid, i * d);
      rowStart[i] = nRows;
      nRows += s.rows.length;
    });
    rowStart[slots.length] = nRows;
    const rows = new Float32Array(nRows * d);
    slots.forEach((s, i) => s.rows.forEach((r, j) => rows.set(r, (rowStart[i]! + j) * d)));
    // Centre: mean over slots of each slot's mean row (so a slot with many examples does not dominate).
    const mean = new Float32Array(d);
    if (this.centering > 0 && slots.length > 1) {
      for (const s of slots) for (const r of s.rows) for (let i = 0; i < d; i++) mean[i]! += r[i]! / (s.rows.length * slots.length);
      for (let i = 0; i < d; i++) mean[i]! *= this.centering;
      for (let r = 0; r < nRows; r++) centreRow(rows, r * d, d, mean);
      for (let s = 0; s < slots.length; s++) centreRow(centroids, s * d, d, mean);
    }
    this.packed = { slots, centroids, rows, rowStart, mean };
    return this.packed;
  }

  private removePair(agentId: number, name: string): void {
    const m = this.byAgent.get(agentId);
    const key = m?.get(name);
    if (!m || key === undefined) return;
    m.delete(name);
    if (m.size === 0) this.byAgent.delete(agentId);
    const slot = this.slots.get(key);
    if (slot) {
      slot.agents = slot.agents.filter((a) => a !== agentId);
      if (slot.agents.length === 0) this.slots.delete(key);
    }
    this.packed = null;
  }

  private async embedMany(texts: string[]): Promise<Float32Array[]> {
    if (this.embedSyncFn) return texts.map((t) => this.checkVec(this.embedSyncFn!(t)));
    let vecs: Float32Array[];
    try {
      vecs = await this.embedder.embed(texts);
    } catch (err) {
      if (err instanceof AiosError) throw err;
      throw new AiosError('EIO', 'embedder failed', { embedder: this.embedder.info?.name }, { cause: err });
    }
    if (!Array.isArray(vecs) || vecs.length !== texts.length) {
      throw new AiosError('EIO', 'embedder returned the wrong number of vectors', { expected: texts.length });
    }
    return vecs.map((v) => this.checkVec(v));
  }

  private async embedQuery(text: string): Promise<Float32Array> {
    checkQuery(text);
    return (await this.embedMany([text]))[0]!;
  }

  private embedQuerySync(text: string): Float32Array {
    checkQuery(text);
    if (!this.embedSyncFn) throw new AiosError('ENOSYS', 'routeSync needs an embedSync function');
    return this.checkVec(this.embedSyncFn(text));
  }

  /** Returns a unit-length copy-or-self of v; EIO when v has the wrong dimension or is not finite. */
  private checkVec(v: Float32Array): Float32Array {
    if (!(v instanceof Float32Array) || v.length !== this.dim) {
      throw new AiosError('EIO', `embedder returned a vector of dimension ${(v as { length?: number })?.length}, expected ${this.dim}`);
    }
    let n2 = 0;
    for (let i = 0; i < v.length; i++) n2 += v[i]! * v[i]!;
    if (!Number.isFinite(n2)) throw new AiosError('EIO', 'embedder returned a non-finite vector');
    if (Math.abs(n2 - 1) > 1e-3 && n2 > 0) {
      const u = Float32Array.from(v);
      normalise(u);
      return u;
    }
    return v;
  }
}

/** q · M[off..off+d), four accumulators (the hot loop of routing). */
function dotAt(q: Float32Array, M: Float32Array, off: number, d: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    a0 += q[i]! * M[off + i]!;
    a1 += q[i + 1]! * M[off + i + 1]!;
    a2 += q[i + 2]! * M[off + i + 2]!;
    a3 += q[i + 3]! * M[off + i + 3]!;
  }
  for (; i < d; i++) a0 += q[i]! * M[off + i]!;
  return a0 + a1 + a2 + a3;
}

/** v[off..off+d) -= mean, then unit length (left as is if it becomes zero). */
function centreRow(v: Float32Array, off: number, d: number, mean: Float32Array): void {
  let n2 = 0;
  for (let i = 0; i < d; i++) {
    const x = v[off + i]! - mean[i]!;
    v[off + i] = x;
    n2 += x * x;
  }
  if (n2 === 0) return;
  const inv = 1 / Math.sqrt(n2);
  for (let i = 0; i < d; i++) v[off + i]! *= inv;
}

function normalise(v: Float32Array): void {
  let n2 = 0;
  for (let i = 0; i < v.length; i++) n2 += v[i]! * v[i]!;
  if (n2 === 0) return;
  const inv = 1 / Math.sqrt(n2);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
}

function checkAgent(agentId: number): void {
  if (!Number.isSafeInteger(agentId) || agentId < 0) throw new AiosError('EINVAL', 'agentId must be a non-negative integer', { agentId });
}

function checkThreshold(t: number): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < -1 || t > 1) throw new AiosError('EINVAL', 'threshold must be a number in [-1, 1]', { threshold: t });
  return t;
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 0 || k > 1000) throw new AiosError('EINVAL', 'k must be an integer in [0, 1000]', { k });
  return k;
}

function checkQuery(text: string): void {
  if (typeof text !== 'string' || text.trim() === '') throw new AiosError('EINVAL', 'request text must be a non-empty string');
  if (text.length > MAX_TEXT_CHARS) throw new AiosError('EMSGSIZE', `request text longer than ${MAX_TEXT_CHARS} characters`, { length: text.length });
}

function checkManifest(intent: IntentManifest): { name: string; description: string; examples: string[] } {
  if (!intent || typeof intent !== 'object') throw new AiosError('EINVAL', 'intent manifest must be an object');
  const { name, description = '', examples = [] } = intent;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256) throw new AiosError('EINVAL', 'intent name must be a non-empty string of at most 256 characters', { name });
  if (typeof description !== 'string') throw new AiosError('EINVAL', 'intent description must be a string', { name });
  if (!Array.isArray(examples) || examples.some((e) => typeof e !== 'string' || e.trim() === '')) {
    throw new AiosError('EINVAL', 'intent examples must be non-empty strings', { name });
  }
  if (examples.length > MAX_EXAMPLES) throw new AiosError('EMSGSIZE', `more than ${MAX_EXAMPLES} examples`, { name, count: examples.length });
  if (description.length > MAX_TEXT_CHARS || examples.some((e) => e.length > MAX_TEXT_CHARS)) {
    throw new AiosError('EMSGSIZE', `description or example longer than ${MAX_TEXT_CHARS} characters`, { name });
  }
  return { name, description, examples };
}

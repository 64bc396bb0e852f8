// Bench: retrieval quality of the memory fabric on the labelled set bench/data/retrieval-set.json:
// nDCG@10 of hybrid search (BM25 + vectors, RRF k=60) against full-text alone and vectors alone, same run.
// Embedder: embedder-wink (offline default). Storage: storage-sqlite in memory. Prints one JSON object.
// Usage: npx tsx --conditions=aios-source bench/memory-quality.ts
import { readFileSync } from 'node:fs';
import { createSqliteStorage } from '../packages/drivers/src/storage-sqlite/index.ts';
import { createWinkEmbedder } from '../packages/drivers/src/embedder-wink/index.ts';
import { createFabric, type SearchMode } from '../packages/services/src/memoryd/index.ts';

interface RetrievalSet {
  documents: { id: string; topic: string; text: string }[];
  queries: { id: string; text: string; relevant: string[]; kind: string }[];
}
const set = JSON.parse(readFileSync(new URL('./data/retrieval-set.json', import.meta.url), 'utf8')) as RetrievalSet;
const K = 10;

/** nDCG@k with binary relevance. */
function ndcg(ranked: string[], relevant: Set<string>, k = K): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => { if (relevant.has(id)) dcg += 1 / Math.log2(i + 2); });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}

const embedder = createWinkEmbedder();
const storage = createSqliteStorage({ path: ':memory:' });
const fabric = createFabric({ storage, embedder, clock: { now: () => 1 } });
const who = { actor: 'bench' };
await fabric.createNamespace(who, { id: 'q' });
await fabric.putMany(who, 'q', set.documents.map((d) => ({ key: d.id, text: d.text })));

const modes: SearchMode[] = ['hybrid', 'text', 'vector'];
const sums: Record<string, Record<string, { sum: number; n: number }>> = {};
for (const q of set.queries) {
  const rel = new Set(q.relevant);
  for (const mode of modes) {
    const hits = await fabric.search(who, { ns: ['q'], query: q.text, k: K, mode });
    const score = ndcg(hits.map((h) => h.item.key!), rel);
    for (const kind of ['all', q.kind]) {
      const m = ((sums[mode] ??= {})[kind] ??= { sum: 0, n: 0 });
      m.sum += score;
      m.n++;
    }
  }
}
await storage.close();
const mean = (mode: string, kind: string): number => +((sums[mode]![kind]!.sum / sums[mode]![kind]!.n).toFixed(4));
const row = (mode: string) => ({ ndcg_at_10: mean(mode, 'all'), paraphrase: mean(mode, 'paraphrase'), lexical: mean(mode, 'lexical') });
const hybrid = mean('hybrid', 'all');
const text = mean('text', 'all');
const vector = mean('vector', 'all');
console.log(JSON.stringify({
  bench: 'memory-quality',
  set: { documents: set.documents.length, queries: set.queries.length, paraphrase_queries: sums['hybrid']!['paraphrase']!.n },
  embedder: `${embedder.info.name} (dim ${embedder.dim})`,
  ours: { name: 'hybrid (BM25 + vector, RRF k=60)', ...row('hybrid') },
  baseline: { text_only_bm25: row('text'), vector_only: row('vector') },
  ratio: { hybrid_vs_text: +(hybrid / text).toFixed(3), hybrid_vs_vector: +(hybrid / vector).toFixed(3) },
  goal: { rule: 'hybrid nDCG@10 >= both single-list baselines', met: hybrid >= text && hybrid >= vector },
}));

// The memory explorer: the CLI actor's namespaces (GET /v1/mem/ns) and hybrid search (POST /v1/mem/search).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { brief } from '../format.ts';
import { ErrorLine, Panel } from './common.ts';

interface Hit { ns: string; id: string; score: number; item: { text?: string; tags?: string[]; data?: unknown } }

export function MemoryView() {
  const ns = usePoll(() => api<unknown>('GET', '/v1/mem/ns'), 0);
  const [query, setQuery] = useState('');
  const [space, setSpace] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const search = async (e: Event) => {
    e.preventDefault();
    if (!query.trim()) return;
    try {
      setHits(await api<Hit[]>('POST', '/v1/mem/search', { query: query.trim(), k: 20, ...(space.trim() ? { ns: space.trim() } : {}) }));
      setError(undefined);
    } catch (err) {
      setError(err as Error);
    }
  };
  const names = Array.isArray(ns.data) ? (ns.data as Array<{ name?: string } | string>).map((n) => (typeof n === 'string' ? n : n.name ?? brief(n))) : [];
  return html`<${Panel} title="Memory explorer" testid="memory">
    <${ErrorLine} error=${error ?? ns.error} />
    <p class="muted">namespaces: ${names.length ? names.join(', ') : '-'}</p>
    <form class="row" onSubmit=${search}>
      <input class="grow" name="query" placeholder="search memory" value=${query} onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} />
      <input name="ns" placeholder="namespace (default cli)" value=${space} onInput=${(e: Event) => setSpace((e.target as HTMLInputElement).value)} />
      <button type="submit">search</button>
    </form>
    ${hits === null ? '' : hits.length === 0 ? html`<p class="muted">no hits</p>` : html`<table>
      <thead><tr><th class="num">Score</th><th>Text</th><th>Namespace</th><th>Id</th><th>Tags</th></tr></thead>
      <tbody>${hits.map((h) => html`<tr key=${h.ns + h.id} class="hit"><td class="num">${h.score.toFixed(3)}</td><td>${h.item.text ?? brief(h.item.data)}</td><td>${h.ns}</td><td class="mono">${h.id}</td><td>${(h.item.tags ?? []).join(', ')}</td></tr>`)}</tbody>
    </table>`}
  </${Panel}>`;
}

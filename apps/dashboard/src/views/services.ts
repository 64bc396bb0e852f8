// The service graph: initd's units (GET /v1/svc) laid out by start level (GET /v1/svc/graph), each with
// its state and what it requires; the DOT text is there to copy into Graphviz.
import { html } from 'htm/preact';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { Badge, ErrorLine, Panel } from './common.ts';

interface Unit { name: string; state: string; agent: number | null; description: string; requires: string[]; after: string[]; level: number | null; restarts: number; why?: string }
interface Graph { dot: string; tree: string; levels: string[][] }

export function ServicesView() {
  const units = usePoll(() => api<Unit[]>('GET', '/v1/svc'), 3000);
  const graph = usePoll(() => api<Graph>('GET', '/v1/svc/graph'), 0);
  const byName = new Map((units.data ?? []).map((u) => [u.name, u]));
  const levels = graph.data?.levels ?? [];
  const placed = new Set(levels.flat());
  const unplaced = (units.data ?? []).filter((u) => !placed.has(u.name));
  const card = (name: string) => {
    const u = byName.get(name);
    return html`<div class="unit" key=${name} data-unit=${name}>
      <div class="unit-head"><strong>${name}</strong> ${u ? html`<${Badge} value=${u.state} />` : ''}</div>
      ${u?.description ? html`<div class="muted">${u.description}</div>` : ''}
      ${u && u.requires.length ? html`<div class="deps">requires ${u.requires.join(', ')}</div>` : ''}
      ${u?.agent != null ? html`<div class="muted">agent ${u.agent}${u.restarts ? `, ${u.restarts} restart(s)` : ''}</div>` : ''}
      ${u?.why ? html`<div class="error">${u.why}</div>` : ''}
    </div>`;
  };
  return html`<${Panel} title="Service graph" testid="services">
    <${ErrorLine} error=${units.error ?? graph.error} />
    <div class="levels">
      ${levels.map((lv, i) => html`<div class="level" key=${i}><h3>level ${i}</h3>${lv.map(card)}</div>`)}
      ${unplaced.length ? html`<div class="level"><h3>cannot start</h3>${unplaced.map((u) => card(u.name))}</div>` : ''}
    </div>
    ${graph.data ? html`<details><summary>DOT</summary><pre>${graph.data.dot}</pre></details>` : ''}
  </${Panel}>`;
}

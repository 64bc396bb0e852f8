// Agents: what GET /v1/agents gives (the same as `aios ps` and `aios top`): state, CPU time and its share
// since the previous refresh (as `aios top` computes it), mailbox depth, memory, handles, trust, tokens.
import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { bytes, pct } from '../format.ts';
import { Badge, ErrorLine, Panel } from './common.ts';

export interface AgentRow {
  id: number; name: string; state: string; domain: string; parent: number | null; cpuMs: number; mailbox: number;
  memBytes: number; handles: number; llmTokens?: number; trust?: number; anomaly?: number; quarantined?: boolean;
  exitCode: number | null; exitReason: string | null;
}

const GONE = new Set(['zombie', 'dead']);

export function AgentsView() {
  const prev = useRef(new Map<number, number>());
  const [all, setAll] = useState(false);
  const { data, error } = usePoll(async () => {
    const agents = await api<AgentRow[]>('GET', '/v1/agents');
    const delta = agents.map((a) => Math.max(0, a.cpuMs - (prev.current.get(a.id) ?? 0)));
    const total = delta.reduce((s, d) => s + d, 0) || 1;
    prev.current = new Map(agents.map((a) => [a.id, a.cpuMs]));
    return agents.map((a, i) => ({ ...a, share: delta[i]! / total }));
  }, 2000);
  const rows = (data ?? []).filter((a) => all || !GONE.has(a.state));
  return html`<${Panel} title="Agents" testid="agents">
    <${ErrorLine} error=${error} />
    <label class="toggle"><input type="checkbox" checked=${all} onChange=${(e: Event) => setAll((e.target as HTMLInputElement).checked)} /> show exited</label>
    <table>
      <thead><tr><th>ID</th><th>Name</th><th>State</th><th>Domain</th><th class="num">CPU ms</th><th>CPU share</th><th class="num">Mailbox</th><th class="num">Memory</th><th class="num">Handles</th><th>Trust</th><th class="num">Model tokens</th></tr></thead>
      <tbody>
        ${rows.map((a) => html`<tr key=${a.id} data-agent=${a.name}>
          <td class="num">${a.id}</td><td>${a.name}</td><td><${Badge} value=${a.quarantined ? 'quarantined' : a.state} /></td><td>${a.domain}</td>
          <td class="num">${a.cpuMs.toFixed(1)}</td>
          <td><span class="bar"><span class="fill" style=${{ width: pct(a.share) }}></span></span> ${pct(a.share)}</td>
          <td class="num">${a.mailbox}</td><td class="num">${bytes(a.memBytes)}</td><td class="num">${a.handles}</td>
          <td>${a.trust === undefined ? '-' : a.trust.toFixed(2)}${a.anomaly ? html` <small>(anomaly ${a.anomaly.toFixed(2)})</small>` : ''}</td>
          <td class="num">${a.llmTokens ?? 0}</td>
        </tr>`)}
      </tbody>
    </table>
    ${data && rows.length === 0 ? html`<p class="muted">no agents</p>` : ''}
  </${Panel}>`;
}

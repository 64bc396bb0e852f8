// IPC and asks: messages flowing between agents (from the audit log), the intents semantic-ipcd routes to (GET /v1/intents), its status (embedder, threshold, pending
// asks), and an ask box (POST /v1/ask) whose answers stay listed for this page's life.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { brief } from '../format.ts';
import { ErrorLine, Panel } from './common.ts';
import { IpcFlow } from './ipc.ts';

interface Intent { agent: number; agentName: string; intent: string; description: string; examples?: string[] }
interface Status { embedder?: string; embedderName?: string; intents?: number; threshold?: number; thresholdSource?: string; pending?: number }
interface Asked { text: string; ok: boolean; out: unknown }

export function AsksView() {
  const intents = usePoll(() => api<Intent[]>('GET', '/v1/intents'), 5000);
  const status = usePoll(() => api<Status>('GET', '/v1/intents/status'), 2000);
  const [text, setText] = useState('');
  const [asked, setAsked] = useState<Asked[]>([]);
  const ask = async (e: Event) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    try {
      const r = await api<{ result: unknown }>('POST', '/v1/ask', { text: t });
      setAsked((old) => [{ text: t, ok: true, out: r.result }, ...old].slice(0, 50));
    } catch (err) {
      const x = err as Error & { code?: string };
      setAsked((old) => [{ text: t, ok: false, out: `${x.code ?? 'EIO'}: ${x.message}` }, ...old].slice(0, 50));
    }
  };
  const s = status.data;
  return html`<${Panel} title="IPC and asks" testid="asks">
    <${ErrorLine} error=${intents.error ?? status.error} />
    ${s ? html`<p class="stats">embedder <b>${s.embedderName ?? s.embedder ?? '-'}</b> · intents <b>${s.intents ?? '-'}</b> · threshold <b>${s.threshold ?? '-'}</b>${s.thresholdSource ? ` (${s.thresholdSource})` : ''} · asks in flight <b data-testid="asks-pending">${s.pending ?? 0}</b></p>` : ''}
    <form class="row" onSubmit=${ask}>
      <input class="grow" name="ask" placeholder="ask the node, e.g. translate hello to French" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} />
      <button type="submit">ask</button>
    </form>
    ${asked.length ? html`<ul class="asked">${asked.map((a, i) => html`<li key=${i} class=${a.ok ? '' : 'error'}><b>${a.text}</b> → ${typeof a.out === 'string' ? a.out : brief(a.out, 400)}</li>`)}</ul>` : ''}
    <h3>Intents</h3>
    <table>
      <thead><tr><th>Intent</th><th>Agent</th><th>Description</th><th>Examples</th></tr></thead>
      <tbody>${(intents.data ?? []).map((it) => html`<tr key=${`${it.agent}:${it.intent}`}><td>${it.intent}</td><td>${it.agentName} (${it.agent})</td><td>${it.description}</td><td class="muted">${(it.examples ?? []).slice(0, 3).join(' · ')}</td></tr>`)}</tbody>
    </table>
    ${intents.data && intents.data.length === 0 ? html`<p class="muted">no agent serves an intent yet</p>` : ''}
    <h3>Messages</h3>
    <${IpcFlow} />
  </${Panel}>`;
}

// Live events and logs: the WebSocket `aios logs --follow` uses (/v1/events?pattern=...), newest first,
// the last MAX_EVENTS kept. Log lines (agent.<id>.log) show their text.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { eventsUrl } from '../api.ts';
import { brief, time } from '../format.ts';
import { Panel } from './common.ts';

const MAX_EVENTS = 300;
interface Ev { topic: string; time: number; data: Record<string, unknown> }

export function EventsView() {
  const [pattern, setPattern] = useState('>');
  const [draft, setDraft] = useState('>');
  const [events, setEvents] = useState<Ev[]>([]);
  const [status, setStatus] = useState('connecting');
  useEffect(() => {
    const ws = new WebSocket(eventsUrl(pattern));
    ws.onopen = () => setStatus('live');
    ws.onclose = (e) => setStatus(`closed${e.reason ? `: ${e.reason}` : ''}`);
    ws.onmessage = (m) => {
      try {
        const e = JSON.parse(String(m.data)) as Ev;
        setEvents((old) => [e, ...old].slice(0, MAX_EVENTS));
      } catch {
        /* not an event: ignored */
      }
    };
    return () => ws.close();
  }, [pattern]);
  const submit = (e: Event) => {
    e.preventDefault();
    setEvents([]);
    setPattern(draft.trim() || '>');
  };
  return html`<${Panel} title="Live events and logs" testid="events">
    <form class="row" onSubmit=${submit}>
      <label>pattern <input name="pattern" value=${draft} onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">follow</button>
      <span class="muted" data-testid="events-status">${status}; e.g. agent.*.log, agent.*.exit, initd.*, security.*</span>
    </form>
    <table class="events">
      <thead><tr><th>Time</th><th>Topic</th><th>Data</th></tr></thead>
      <tbody>${events.map((e, i) => html`<tr key=${i} class=${e.topic.endsWith('.log') ? 'log' : ''}>
        <td class="nowrap">${time(e.time)}</td><td class="nowrap">${e.topic}</td>
        <td>${e.topic.endsWith('.log') && typeof e.data.line === 'string' ? e.data.line : brief(e.data)}</td>
      </tr>`)}</tbody>
    </table>
  </${Panel}>`;
}

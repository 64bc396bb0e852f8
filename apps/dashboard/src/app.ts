// The dashboard's frame: a tab per view, chosen by the URL fragment (#agents, #services, ...).
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { AgentsView } from './views/agents.ts';
import { ServicesView } from './views/services.ts';
import { EventsView } from './views/events.ts';
import { AsksView } from './views/asks.ts';
import { MemoryView } from './views/memory.ts';
import { AuditView } from './views/audit.ts';
import { PlansView } from './views/plans.ts';
import { ModelView } from './views/model.ts';

export const TABS = [
  { id: 'agents', label: 'Agents', view: AgentsView },
  { id: 'services', label: 'Services', view: ServicesView },
  { id: 'events', label: 'Events & logs', view: EventsView },
  { id: 'asks', label: 'IPC & asks', view: AsksView },
  { id: 'memory', label: 'Memory', view: MemoryView },
  { id: 'audit', label: 'Audit', view: AuditView },
  { id: 'plans', label: 'Plans', view: PlansView },
  { id: 'model', label: 'Model', view: ModelView },
] as const;

const current = () => TABS.find((t) => `#${t.id}` === location.hash) ?? TABS[0];

export function App({ onLogout }: { onLogout: () => void }) {
  const [tab, setTab] = useState(current());
  useEffect(() => {
    const f = () => setTab(current());
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  const View = tab.view;
  return html`<div class="app">
    <header>
      <span class="logo">AIOS</span>
      <nav>${TABS.map((t) => html`<a key=${t.id} href=${`#${t.id}`} class=${t.id === tab.id ? 'active' : ''}>${t.label}</a>`)}</nav>
      <button class="link" onClick=${onLogout}>log out</button>
    </header>
    <main><${View} key=${tab.id} /></main>
  </div>`;
}

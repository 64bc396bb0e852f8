// IPC flowing: the newest IPCSend records of the audit log (GET /v1/audit?tail=N; every send is audited),
// as sender -> receiver with agent names from GET /v1/agents.
import { html } from 'htm/preact';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { time } from '../format.ts';
import { ErrorLine } from './common.ts';

const TAIL = 300;
const SHOWN = 25;
interface Rec { seq: number; time: number; agent: number; syscall: string; object: string | null; result: string }

export function IpcFlow() {
  const flow = usePoll(async () => {
    const [recs, agents] = await Promise.all([api<Rec[]>('GET', `/v1/audit?tail=${TAIL}`), api<Array<{ id: number; name: string }>>('GET', '/v1/agents')]);
    const names = new Map(agents.map((a) => [a.id, a.name]));
    const name = (id: number) => (names.has(id) ? `${names.get(id)} (${id})` : `agent ${id}`); // the node's root agent is not listed
    return recs.filter((r) => r.syscall === 'IPCSend').slice(-SHOWN).reverse().map((r) => {
      const to = /^agent:(\d+)$/.exec(r.object ?? '');
      return { seq: r.seq, time: r.time, from: name(r.agent), to: to ? name(Number(to[1])) : r.object ?? '-', result: r.result };
    });
  }, 2000);
  return html`<div data-testid="ipc-flow">
    <${ErrorLine} error=${flow.error} />
    <table>
      <thead><tr><th>Time</th><th>From</th><th></th><th>To</th><th>Result</th></tr></thead>
      <tbody>${(flow.data ?? []).map((m) => html`<tr key=${m.seq}><td class="nowrap">${time(m.time)}</td><td>${m.from}</td><td class="muted">→</td><td>${m.to}</td><td class=${m.result === 'ok' ? '' : 'error'}>${m.result}</td></tr>`)}</tbody>
    </table>
    ${flow.data && flow.data.length === 0 ? html`<p class="muted">no messages in the last ${TAIL} audit records</p>` : ''}
  </div>`;
}

// The audit log: its verification status (GET /v1/audit/verify: chain, signed checkpoints, anchor), the
// latest signed checkpoint (GET /v1/audit/checkpoint) and the newest records (GET /v1/audit?tail=N).
import { html } from 'htm/preact';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { brief, time } from '../format.ts';
import { ErrorLine, Panel } from './common.ts';

interface Verify { ok: boolean; records: number; checkpoints: number; signedPrefix?: number; keys?: number; rootHash?: string; reason?: string; fault?: string; firstBadSeq?: number }
interface Rec { seq: number; time: number; agent: number; syscall: string; object: string | null; result: string; detail?: Record<string, unknown> }

export function AuditView() {
  const verify = usePoll(() => api<Verify>('GET', '/v1/audit/verify'), 10_000);
  const tail = usePoll(() => api<Rec[]>('GET', '/v1/audit?tail=100'), 3000);
  const v = verify.data;
  return html`<${Panel} title="Audit log" testid="audit">
    <${ErrorLine} error=${verify.error ?? tail.error} />
    ${v ? html`<p class=${`verify ${v.ok ? 'ok' : 'bad'}`} data-testid="audit-verify">
      ${v.ok ? 'verified' : 'FAILS verification'}: ${v.records} records, ${v.checkpoints} checkpoints${v.signedPrefix !== undefined ? `, ${v.signedPrefix} under a signed checkpoint` : ''}
      ${v.rootHash ? html`<br /><span class="mono muted">root ${v.rootHash}</span>` : ''}
      ${!v.ok ? html`<br />${v.fault ?? ''} ${v.reason ?? ''}${v.firstBadSeq !== undefined ? ` (first bad seq ${v.firstBadSeq})` : ''}` : ''}
    </p>` : verify.error ? '' : html`<p class="muted">verifying…</p>`}
    <button onClick=${verify.reload}>verify again</button>
    <table>
      <thead><tr><th class="num">Seq</th><th>Time</th><th class="num">Agent</th><th>Call</th><th>Object</th><th>Result</th><th>Detail</th></tr></thead>
      <tbody>${[...(tail.data ?? [])].reverse().map((r) => html`<tr key=${r.seq}>
        <td class="num">${r.seq}</td><td class="nowrap">${time(r.time)}</td><td class="num">${r.agent}</td><td>${r.syscall}</td><td>${r.object ?? ''}</td>
        <td class=${r.result === 'ok' ? '' : 'error'}>${r.result}</td><td class="muted">${r.detail ? brief(r.detail, 120) : ''}</td>
      </tr>`)}</tbody>
    </table>
  </${Panel}>`;
}

// Plans: GET /v1/plans once the planner serves it; until then (404/ENOENT or ESRCH) "planner not running".
import { html } from 'htm/preact';
import { api, ApiError } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { brief } from '../format.ts';
import { ErrorLine, Panel } from './common.ts';

/** True when the answer means there is no planner to ask (no route yet, or the service is down). */
export function plannerAbsent(e: Error | undefined): boolean {
  return e instanceof ApiError && (e.status === 404 || e.code === 'ENOENT' || e.code === 'ESRCH');
}

export function PlansView() {
  const plans = usePoll(() => api<unknown>('GET', '/v1/plans'), 3000);
  const absent = plannerAbsent(plans.error);
  const list = Array.isArray(plans.data) ? plans.data : plans.data && typeof plans.data === 'object' && Array.isArray((plans.data as { plans?: unknown[] }).plans) ? (plans.data as { plans: unknown[] }).plans : [];
  return html`<${Panel} title="Plans" testid="plans">
    ${absent ? html`<p class="muted big" data-testid="plans-status">planner not running</p>` : html`<${ErrorLine} error=${plans.error} />`}
    ${!absent && plans.data !== undefined ? html`<table>
      <thead><tr><th>Plan</th><th>State</th><th>Detail</th></tr></thead>
      <tbody>${list.map((p, i) => {
        const o = (p ?? {}) as { id?: unknown; name?: unknown; goal?: unknown; state?: unknown; status?: unknown };
        return html`<tr key=${i}><td>${String(o.name ?? o.goal ?? o.id ?? i)}</td><td>${String(o.state ?? o.status ?? '-')}</td><td class="muted">${brief(p, 200)}</td></tr>`;
      })}</tbody>
    </table>${list.length === 0 ? html`<p class="muted">no plans</p>` : ''}` : ''}
  </${Panel}>`;
}

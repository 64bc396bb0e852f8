// The model device's queues (GET /v1/model): the driver, the queue policy, queued and in-flight requests.
import { html } from 'htm/preact';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { ErrorLine, Panel } from './common.ts';

interface Device { driver: string; version: string; policy: string; slots: number; pipeline: number; queued: number; inFlight: number; completed: number; failed: number; canceled: number }

export function ModelView() {
  const m = usePoll(() => api<{ device: Device | null }>('GET', '/v1/model'), 2000);
  const d = m.data?.device;
  return html`<${Panel} title="Model device" testid="model">
    <${ErrorLine} error=${m.error} />
    ${m.data && !d ? html`<p class="muted big" data-testid="model-none">this node has no model device</p>` : ''}
    ${d ? html`<dl class="grid" data-testid="model-stats">
      <dt>driver</dt><dd>${d.driver} ${d.version}</dd>
      <dt>queue policy</dt><dd>${d.policy}</dd>
      <dt>slots / pipeline</dt><dd>${d.slots} / ${d.pipeline}</dd>
      <dt>queued</dt><dd><b>${d.queued}</b></dd>
      <dt>in flight</dt><dd><b>${d.inFlight}</b></dd>
      <dt>completed / failed / canceled</dt><dd>${d.completed} / ${d.failed} / ${d.canceled}</dd>
    </dl>` : ''}
  </${Panel}>`;
}

// GET /metrics: the node's metrics in the Prometheus text exposition format (version 0.0.4), behind the
// bearer token like every other route. Series:
//   aios_agents{state}                      gauge    live agents by state (zombies kept for logs included)
//   aios_syscalls_total{call,result}        counter  syscalls by name and outcome at dispatch ('ok' or the error code)
//   aios_ipc_messages_total                 counter  messages sent (successful IPCSend)
//   aios_llm_tokens_total{kind}             counter  model tokens charged, kind = prompt | completion
//   aios_llm_requests_total{outcome}        counter  model requests by outcome
//   aios_ask_duration_seconds{op}           histogram semantic asks through the API (ask, multicast, negotiate)
//   aios_memory_up, aios_memory_namespaces, aios_memory_items{ns}, aios_memory_bytes{ns}   the memory fabric (memoryd)
//   aios_audit_records_total                counter  audit records appended since boot
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KernelHost } from '@aios/kernel';
import { CLI_NAMESPACE, askMemoryd } from './mem-routes.ts';

/** Histogram buckets of ask latency, in seconds. */
const ASK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** How long /metrics waits for memoryd's figures before reporting aios_memory_up 0. */
const MEMORY_TIMEOUT_MS = 2_000;

interface Histogram { counts: number[]; sum: number; count: number }
const askHistograms = new WeakMap<KernelHost, Map<string, Histogram>>();

/** Records one ask's duration (called by the ask routes). */
export function observeAsk(host: KernelHost, op: string, seconds: number): void {
  let m = askHistograms.get(host);
  if (m === undefined) askHistograms.set(host, (m = new Map()));
  let h = m.get(op);
  if (h === undefined) m.set(op, (h = { counts: ASK_BUCKETS.map(() => 0), sum: 0, count: 0 }));
  ASK_BUCKETS.forEach((b, i) => {
    if (seconds <= b) h.counts[i]!++;
  });
  h.sum += seconds;
  h.count++;
}

/** A label value escaped per the exposition format. */
const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string>): string => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
};

class Exposition {
  private out: string[] = [];
  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, l: Record<string, string>, v: number): this {
    this.out.push(`${name}${labels(l)} ${Number.isFinite(v) ? String(v) : '0'}`);
    return this;
  }
  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

/** The exposition text of a node. */
export async function renderMetrics(host: KernelHost): Promise<string> {
  const x = new Exposition();
  const byState = new Map<string, number>();
  for (const a of host.ps()) byState.set(a.state, (byState.get(a.state) ?? 0) + 1);
  x.family('aios_agents', 'gauge', 'Agents by state.');
  for (const s of ['ready', 'running', 'waiting', 'suspended', 'zombie']) x.sample('aios_agents', { state: s }, byState.get(s) ?? 0);

  const counts = host.kernel.syscallCounts.snapshot();
  x.family('aios_syscalls_total', 'counter', 'Syscalls by name and result at dispatch.');
  for (const c of counts) x.sample('aios_syscalls_total', { call: c.call, result: c.result }, c.count);
  x.family('aios_ipc_messages_total', 'counter', 'IPC messages sent by agents.');
  x.sample('aios_ipc_messages_total', {}, counts.find((c) => c.call === 'IPCSend' && c.result === 'ok')?.count ?? 0);

  const model = host.kernel.model?.stats();
  x.family('aios_llm_tokens_total', 'counter', 'Model tokens charged since boot.');
  x.sample('aios_llm_tokens_total', { kind: 'prompt' }, model?.promptTokens ?? 0);
  x.sample('aios_llm_tokens_total', { kind: 'completion' }, model?.completionTokens ?? 0);
  x.family('aios_llm_requests_total', 'counter', 'Model requests by outcome.');
  for (const o of ['completed', 'failed', 'canceled'] as const) x.sample('aios_llm_requests_total', { outcome: o }, model?.[o] ?? 0);

  x.family('aios_ask_duration_seconds', 'histogram', 'Duration of semantic asks through the API.');
  for (const [op, h] of askHistograms.get(host) ?? []) {
    ASK_BUCKETS.forEach((b, i) => x.sample('aios_ask_duration_seconds_bucket', { op, le: String(b) }, h.counts[i]!));
    x.sample('aios_ask_duration_seconds_bucket', { op, le: '+Inf' }, h.count);
    x.sample('aios_ask_duration_seconds_sum', { op }, h.sum);
    x.sample('aios_ask_duration_seconds_count', { op }, h.count);
  }

  const mem = await memoryFigures(host);
  x.family('aios_memory_up', 'gauge', '1 when memoryd answered for this scrape.').sample('aios_memory_up', {}, mem === null ? 0 : 1);
  x.family('aios_memory_namespaces', 'gauge', 'Memory-fabric namespaces visible to the node.').sample('aios_memory_namespaces', {}, mem?.namespaces ?? 0);
  x.family('aios_memory_items', 'gauge', 'Items in a memory-fabric namespace.');
  x.family('aios_memory_bytes', 'gauge', 'Bytes stored in a memory-fabric namespace.');
  if (mem?.cli) {
    x.sample('aios_memory_items', { ns: mem.cli.ns }, mem.cli.items);
    x.sample('aios_memory_bytes', { ns: mem.cli.ns }, mem.cli.bytes);
  }

  x.family('aios_audit_records_total', 'counter', 'Audit records appended since boot.').sample('aios_audit_records_total', {}, host.kernel.audit.seq);
  return x.text();
}

/** memoryd's figures, or null when it does not run or does not answer in time. */
async function memoryFigures(host: KernelHost): Promise<{ namespaces: number; cli: { ns: string; items: number; bytes: number } | null } | null> {
  try {
    const list = await askMemoryd<unknown[]>(host, { op: 'ns.list' }, MEMORY_TIMEOUT_MS);
    const st = await askMemoryd<{ ns: string; items: number; bytes: number }>(host, { op: 'stats', ns: CLI_NAMESPACE }, MEMORY_TIMEOUT_MS).catch(() => null);
    return { namespaces: Array.isArray(list) ? list.length : 0, cli: st };
  } catch {
    return null;
  }
}

/** Serves GET /metrics; false for other paths. Call after the bearer-token check. */
export async function handleMetricsRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== '/metrics' || req.method !== 'GET') return false;
  const body = await renderMetrics(host);
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  return true;
}

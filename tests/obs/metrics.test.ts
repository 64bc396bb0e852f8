// GET /metrics: the Prometheus text exposition of a running node, behind the bearer token, read back by a
// real parser of the format (parse-prometheus-text-format, which throws on malformed input).
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { boot } from 'aios';
import { tempDataDir } from '../e2e/cli-helpers.ts';

interface Family { name: string; type: string; help: string; metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }> }
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

describe('metrics - Prometheus exposition on the API port', () => {
  it('metrics - GET /metrics needs the token and exposes agents, syscalls, IPC, tokens, asks, memory and audit series', async () => {
    const node = await boot({ dataDir: tempDataDir(), config: { api: true, port: 0, services: true } });
    try {
      const base = `http://127.0.0.1:${node.api!.port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const auth = { authorization: `Bearer ${node.api!.token}` };
      // Some work to count: an ask (answered or refused, it is timed) and a model call through the API.
      await fetch(`${base}/v1/ask`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'translate hello to French', timeoutMs: 500 }) });
      const res = await fetch(`${base}/metrics`, { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await res.text();
      const families = parse(text);
      const fam = (n: string) => families.find((f) => f.name === n);
      for (const [n, t] of [
        ['aios_agents', 'GAUGE'], ['aios_syscalls_total', 'COUNTER'], ['aios_ipc_messages_total', 'COUNTER'], ['aios_llm_tokens_total', 'COUNTER'],
        ['aios_ask_duration_seconds', 'HISTOGRAM'], ['aios_memory_up', 'GAUGE'], ['aios_memory_items', 'GAUGE'], ['aios_audit_records_total', 'COUNTER'],
      ] as const) expect(fam(n)?.type, n).toBe(t);
      // The services run: agents are counted by state, and they made syscalls and sent messages.
      const agents = fam('aios_agents')!.metrics.reduce((s, m) => s + Number(m.value), 0);
      expect(agents).toBeGreaterThanOrEqual(3);
      expect(fam('aios_syscalls_total')!.metrics.some((m) => m.labels?.call === 'IPCSend' && m.labels?.result === 'ok' && Number(m.value) > 0)).toBe(true);
      expect(Number(fam('aios_ipc_messages_total')!.metrics[0]!.value)).toBeGreaterThan(0);
      expect(Number(fam('aios_memory_up')!.metrics[0]!.value)).toBe(1);
      // (this parser keeps a histogram's buckets; its _count and _sum are checked in the text itself)
      const ask = fam('aios_ask_duration_seconds')!.metrics[0]!;
      expect(Number(ask.buckets!['+Inf'])).toBe(1);
      expect(text).toContain('aios_ask_duration_seconds_count{op="ask"} 1');
      expect(Number(fam('aios_audit_records_total')!.metrics[0]!.value)).toBeGreaterThan(0);
    } finally {
      await node.shutdown();
    }
  }, 60_000);
});

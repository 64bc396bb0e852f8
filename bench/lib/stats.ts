// Small statistics helpers shared by the benchmarks.
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: number[]): { p50: number; p99: number; mean: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
}

export const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export const isFull = (): boolean => process.argv.includes('--full') || process.env.FULL === '1';

/** Runs an agent from source on a fresh test kernel and returns the JSON it logs as `RESULT {...}`. */
export async function agentResult(host: { spawn: (img: { source: string }, o?: object) => Promise<number>; waitExit: (id: number) => Promise<{ code: number; reason: string }>; logs: (id: number) => string[] }, source: string, opts: object = {}): Promise<Record<string, unknown>> {
  const id = await host.spawn({ source }, opts);
  const st = await host.waitExit(id);
  const line = host.logs(id).find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`bench agent exited ${st.code} (${st.reason}) without a RESULT: ${host.logs(id).join('\n')}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

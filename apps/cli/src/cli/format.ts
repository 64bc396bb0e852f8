// Output helpers of the CLI: tables for people, JSON for programs.
import type { AgentInfo } from '@aios/abi';
import { escapeTerminal } from './term.ts';

/**
 * Rows (the first is the header) in columns two spaces apart; the last column is not padded, lines are trimmed.
 * Cells are escaped (escapeTerminal): a name cannot break the table or write to the terminal.
 */
export function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(escapeTerminal));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function psTable(agents: AgentInfo[]): string {
  const total = agents.reduce((s, a) => s + a.cpuMs, 0) || 1;
  return table([
    ['ID', 'NAME', 'STATE', 'DOMAIN', 'EXEC', 'NICE', 'WEIGHT', 'VRUNTIME', 'CPU(ms)', 'SHARE', 'LLM TOK', 'MBOX', 'MEM'],
    ...agents.map((a) => [
      String(a.id), a.name, a.state, a.domain, execCell(a), String(a.nice), String(a.weight), a.vruntime.toFixed(2), a.cpuMs.toFixed(2),
      `${((100 * a.cpuMs) / total).toFixed(1)}%`, String(a.llmTokens ?? 0), String(a.mailbox), humanBytes(a.memBytes),
    ]),
  ]);
}

/** The executor (worker thread) an agent's sandbox runs on; '-' for the kernel's thread. */
function execCell(a: AgentInfo): string {
  return a.executor === undefined ? '-' : String(a.executor);
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)}M`;
  return `${(n / 1024 ** 3).toFixed(1)}G`;
}

export function topTable(agents: Array<AgentInfo & { share: number }>): string {
  return table([
    ['ID', 'NAME', 'STATE', 'DOMAIN', 'EXEC', 'NICE', 'WEIGHT', 'HINTS', 'VRUNTIME', 'CPU(ms)', 'SHARE', 'LLM TOK', 'MBOX'],
    ...agents.map((a) => [
      String(a.id), a.name, a.state, a.domain, execCell(a), String(a.nice), String(a.weight), a.hints.join(',') || '-', a.vruntime.toFixed(2),
      a.cpuMs.toFixed(2), `${(100 * a.share).toFixed(1)}%`, String(a.llmTokens ?? 0), String(a.mailbox),
    ]),
  ]);
}

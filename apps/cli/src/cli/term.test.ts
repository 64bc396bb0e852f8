import { describe, it, expect } from 'vitest';
import type { AgentInfo } from '@aios/abi';
import { escapeTerminal, terminalSafe } from './term.ts';
import { psTable, table } from './format.ts';
import { formatRecord } from './security-commands.ts';

const info = (name: string): AgentInfo => ({
  id: 7, name, state: 'running', domain: 'wasm', parent: 1, nice: 0, weight: 1024, hints: [], cpuMs: 1, vruntime: 1, activations: 1,
  mailbox: 0, memBytes: 0, handles: 1, exitCode: null, exitReason: null, startedAt: 0, maxWakeLatencyMs: 0, trust: 1, anomaly: 0, quarantined: false,
} as unknown as AgentInfo);

describe('cli terminal - agent text cannot spoof output', () => {
  it('cli terminal - control characters, ANSI escapes, newlines and bidi overrides become visible escapes', () => {
    expect(escapeTerminal('a\x1b[31mred\x1b[0m')).toBe('a\\x1b[31mred\\x1b[0m');
    expect(escapeTerminal('line1\nroot  running\r\t\x00\x7f\x9b')).toBe('line1\\nroot  running\\r\\t\\x00\\x7f\\x9b');
    expect(escapeTerminal('abc\u202etxt.exe')).toBe('abc\\u202etxt.exe');
    expect(escapeTerminal('plain name, ünïcode ok')).toBe('plain name, ünïcode ok');
  });

  it('cli terminal - a name with a newline or an escape cannot add a row to ps or clear the screen', () => {
    const out = psTable([info('evil\n1    root      running\x1b[2J')]);
    expect(out.split('\n')).toHaveLength(2);
    expect(out).not.toContain('\x1b');
    expect(out).toContain('evil\\n1    root      running\\x1b[2J');
    expect(table([['A'], ['x\ny']])).toBe('A\nx\\ny');
  });

  it('cli terminal - audit records print on one inert line', () => {
    const line = formatRecord({ seq: 1, time: 0, agent: 7, syscall: 'IPCSend', object: 'x\u009b2J', result: 'ok', detail: { m: 'a\nb\x1b' } } as never);
    expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('cli terminal - the output guard keeps newlines and JSON valid and escapes stray controls', () => {
    const json = JSON.stringify({ name: 'x\u009b\u007f\u202e' });
    const safe = terminalSafe(json);
    expect(safe).not.toMatch(/[\x7f-\x9f\u202e]/);
    expect(JSON.parse(safe)).toEqual({ name: 'x\u009b\u007f\u202e' });
    expect(terminalSafe('a\nb\tc\rd\x07')).toBe('a\nb\tc\\u000dd\\u0007');
  });
});

import { describe, it, expect } from 'vitest';
import { formatDuration, formatProgress, progressReporter } from './progress.ts';

const sink = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } };
};

describe('cli progress - the line', () => {
  it('cli progress - done/total, percent, rate and ETA', () => {
    expect(formatProgress('reembed cli', { done: 256, total: 1000, elapsedMs: 2000 })).toBe('reembed cli: 256/1000 25% 128/s ETA 6s');
    expect(formatProgress('import f.jsonl', { done: 3, total: 12, elapsedMs: 2000 })).toBe('import f.jsonl: 3/12 25% 1.5/s ETA 6s');
    expect(formatProgress('plan p1', { done: 2, total: 2, elapsedMs: 500 })).toBe('plan p1: 2/2 100% 4.0/s');
  });
  it('cli progress - nothing done yet or no total: no rate, no ETA', () => {
    expect(formatProgress('reembed cli', { done: 0, total: 500, elapsedMs: 0 })).toBe('reembed cli: 0/500 0%');
    expect(formatProgress('x', { done: 7, total: 0, elapsedMs: 1000 })).toBe('x: 7 7.0/s');
  });
  it('cli progress - durations', () => {
    expect([formatDuration(0), formatDuration(9_400), formatDuration(65_000), formatDuration(7_380_000)]).toEqual(['0s', '9s', '1m05s', '2h03m']);
  });
});

describe('cli progress - where it is shown', () => {
  it('cli progress - not a terminal, or --json: silent', () => {
    for (const [tty, json] of [[false, false], [true, true], [false, true]] as const) {
      const s = sink(tty);
      const p = progressReporter('x', { stream: s.stream, json });
      p.update(1, 2);
      p.end();
      expect(p.enabled).toBe(false);
      expect(s.writes).toEqual([]);
    }
  });
  it('cli progress - a terminal: one line rewritten in place, throttled, last step drawn, cleared at the end', () => {
    let t = 1000;
    const s = sink(true);
    const p = progressReporter('job', { stream: s.stream, now: () => t, minIntervalMs: 100 });
    expect(p.enabled).toBe(true);
    t = 1500;
    p.update(1, 4);
    t = 1550;
    p.update(2, 4); // within the interval: not drawn
    t = 1700;
    p.update(4, 4); // the last step is always drawn
    p.end();
    expect(s.writes).toEqual(['\r\x1b[2Kjob: 1/4 25% 2.0/s ETA 2s', '\r\x1b[2Kjob: 4/4 100% 5.7/s', '\r\x1b[2K']);
    expect(s.writes.every((w) => !w.includes('\n'))).toBe(true);
  });
});

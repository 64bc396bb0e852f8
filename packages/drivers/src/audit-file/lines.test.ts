import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachLine, readLinesOf } from './lines.ts';

const dir = mkdtempSync(join(tmpdir(), 'aios-lines-'));

describe('audit-file lines - chunked line reader', () => {
  it('audit-file lines - lines split across chunks (multi-byte characters too) come out whole; a torn tail is left out', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `{"seq":${i},"t":"é€😀${'x'.repeat(i % 37)}"}`);
    const f = join(dir, 'a.jsonl');
    writeFileSync(f, lines.join('\n') + '\n{"torn":');
    const seen: string[] = [];
    const n = await forEachLine(f, (l, i) => {
      expect(i).toBe(seen.length);
      seen.push(l);
    }, 7); // 7-byte chunks: every line and most characters straddle a boundary
    expect(n).toBe(500);
    expect(seen).toEqual(lines);
  });

  it('audit-file lines - a missing file has no lines; an empty one neither', async () => {
    expect(await readLinesOf(join(dir, 'none.jsonl'))).toEqual([]);
    writeFileSync(join(dir, 'empty.jsonl'), '');
    expect(await readLinesOf(join(dir, 'empty.jsonl'))).toEqual([]);
  });
});

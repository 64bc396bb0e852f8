// Reads a JSONL file line by line in chunks, never as one string, so a log of any size stays
// readable (a single JS string is limited to ~512 MiB). Only complete lines are seen: an
// unterminated last line (a crash, or a writer still running) is left out.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { AiosError, hasCode } from '@aios/abi';

/** Calls fn with each complete line (without its newline) and its 0-based index; [] work for a missing file. */
export async function forEachLine(file: string, fn: (line: string, index: number) => void, chunkBytes = 1 << 20): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes })) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        fn(text.slice(start, nl), n++);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (e) {
    if (hasCode(e, 'ENOENT')) return 0;
    throw new AiosError('EIO', `cannot read ${file}`, { file }, { cause: e });
  }
  return n;
}

/** Every complete line of the file, as an array (no single string of the whole file is built). */
export async function readLinesOf(file: string): Promise<string[]> {
  const out: string[] = [];
  await forEachLine(file, (l) => out.push(l));
  return out;
}

// `aios mem put|get|search|ls|export|import`: the memory fabric from the shell. Speaks to the running
// node's /v1/mem routes (api/mem-routes.ts), which forward to memoryd as the root agent.
// To merge: `{ ...COMMANDS, ...MEM_COMMANDS }`.

import { readFileSync } from 'node:fs';
import { AiosError } from '@aios/abi';
import { resolveDataDir } from 'aios/offline';
import { connect, type NodeClient } from './client.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import type { Command, Io } from './commands.ts';
import { escapeTerminal } from './term.ts';
import { progressReporter, type Progress } from './progress.ts';

const ACTIONS = ['put', 'get', 'search', 'ls', 'export', 'import', 'reembed'] as const;
/** Import requests stay under one IPC message (64 KiB) once JSON-escaped. */
const IMPORT_CHUNK_BYTES = 48 * 1024;

interface Hit { ns: string; id: string; score: number; item: { text: string; tags: string[] } }
interface NsRow { id: string; name: string; shared: boolean; dim: number; embedder: string }

function oneLine(s: string, max = 100): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

async function exportAll(c: NodeClient, ns: string | undefined, io: Io): Promise<void> {
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams({ ...(ns ? { ns } : {}), ...(cursor ? { cursor } : {}) });
    const page: { lines: string[]; cursor: string | null } = await c.request('GET', `/v1/mem/export?${qs}`);
    for (const l of page.lines) io.out(l);
    cursor = page.cursor;
  } while (cursor !== null);
}

/** Imports a JSONL file in chunks; each chunk's reply is the node's report of the lines it took (progress). */
async function importFile(c: NodeClient, ns: string | undefined, file: string, bar: Progress): Promise<{ imported: number; updated: number; unchanged: number; skipped: Array<{ line: number; code: string; message: string }> }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AiosError('ENOENT', `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  const lines = text.split('\n');
  const counted = lines.at(-1) === '' ? lines.length - 1 : lines.length; // a final newline ends the last line
  const total = { imported: 0, updated: 0, unchanged: 0, skipped: [] as Array<{ line: number; code: string; message: string }> };
  let i = 0;
  while (i < lines.length) {
    const chunk: string[] = [];
    const first = i + 1;
    let bytes = 0;
    while (i < lines.length) {
      const size = Buffer.byteLength(JSON.stringify(lines[i]!)) + 1;
      if (chunk.length > 0 && bytes + size > IMPORT_CHUNK_BYTES) break;
      bytes += size;
      chunk.push(lines[i]!);
      i++;
    }
    if (chunk.every((l) => l.trim() === '')) continue;
    const r: typeof total = await c.request('POST', '/v1/mem/import', { ...(ns ? { ns } : {}), lines: chunk, firstLine: first });
    total.imported += r.imported;
    total.updated += r.updated;
    total.unchanged += r.unchanged;
    total.skipped.push(...r.skipped);
    bar.update(Math.min(i, counted), counted);
  }
  return total;
}

export const MEM_COMMANDS: Record<string, Command> = {
  mem: {
    summary: 'the memory fabric: put TEXT, get ID, search QUERY, ls, export, import FILE, reembed (onto the node\'s current embedder)',
    usage: 'aios mem put [--ns NS] TEXT | get [--ns NS] ID | search [--ns NS] [--k K] [--json] QUERY | ls | export [--ns NS] > FILE | import [--ns NS] FILE | reembed [--ns NS]',
    options: {
      ...COMMON_OPTS, ...JSON_OPT,
      ns: { type: 'string', help: "namespace name (default 'cli', the CLI's own)" },
      k: { type: 'string', help: 'search: how many results (default 10)' },
      tag: { type: 'string', help: 'put: comma-separated tags' },
      ttl: { type: 'string', help: 'put: lifetime in ms' },
    },
    positionals: 1,
    async run(v, [action, ...args], io) {
      if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new AiosError('EINVAL', `unknown mem action '${action}' (one of ${ACTIONS.join(', ')})`, { arg: 'action' });
      const ns = v.ns as string | undefined;
      const arg = args.join(' ');
      const needs = action === 'put' || action === 'get' || action === 'search' || action === 'import';
      if (needs && arg === '') throw new AiosError('EINVAL', `aios mem ${action} needs an argument`, { arg: action === 'put' ? 'text' : action === 'get' ? 'id' : action === 'search' ? 'query' : 'file' });
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      switch (action) {
        case 'put': {
          const ttl = v.ttl === undefined ? undefined : Number(v.ttl);
          if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) throw new AiosError('EINVAL', '--ttl must be a positive number of ms', { arg: 'ttl' });
          const tags = typeof v.tag === 'string' ? v.tag.split(',').map((t) => t.trim()).filter(Boolean) : undefined;
          const r = await c.request<{ id: string }>('POST', '/v1/mem/items', { text: arg, ...(ns ? { ns } : {}), ...(tags ? { tags } : {}), ...(ttl ? { ttlMs: ttl } : {}) });
          io.out(v.json ? JSON.stringify(r) : r.id);
          return 0;
        }
        case 'get': {
          const it = await c.request<{ id: string; text: string; tags: string[]; version: number }>('GET', `/v1/mem/items/${encodeURIComponent(arg)}${ns ? `?ns=${encodeURIComponent(ns)}` : ''}`);
          io.out(v.json ? JSON.stringify(it) : it.text);
          return 0;
        }
        case 'search': {
          const k = v.k === undefined ? undefined : Number(v.k);
          if (k !== undefined && !(Number.isInteger(k) && k >= 1 && k <= 1000)) throw new AiosError('EINVAL', '--k must be an integer 1..1000', { arg: 'k' });
          const hits = await c.request<Hit[]>('POST', '/v1/mem/search', { query: arg, ...(ns ? { ns } : {}), ...(k ? { k } : {}) });
          if (v.json) io.out(JSON.stringify(hits));
          else for (const h of hits) io.out(`${h.id}  ${h.score.toFixed(4)}  ${escapeTerminal(oneLine(h.item.text))}`);
          return 0;
        }
        case 'reembed': {
          // In a terminal: a progress line from memoryd's reports (a streamed reply); otherwise the plain reply.
          const bar = progressReporter(`reembed ${ns ?? 'cli'}`, { json: v.json === true });
          const body = { ...(ns ? { ns } : {}) };
          const r = bar.enabled
            ? await c.stream<{ ns: string; count: number }>('POST', '/v1/mem/reembed', body, (p) => bar.update(Number(p.done) || 0, Number(p.total) || 0)).finally(() => bar.end())
            : await c.request<{ ns: string; count: number }>('POST', '/v1/mem/reembed', body);
          io.out(v.json ? JSON.stringify(r) : `${r.count} items of ${r.ns} re-embedded`);
          return 0;
        }
        case 'ls': {
          const rows = await c.request<NsRow[]>('GET', '/v1/mem/ns');
          if (v.json) io.out(JSON.stringify(rows));
          else {
            io.out(['NAME', 'SHARED', 'DIM', 'EMBEDDER', 'ID'].join('\t'));
            for (const r of rows) io.out([r.name, r.shared ? 'yes' : 'no', String(r.dim), r.embedder, r.id].map(escapeTerminal).join('\t'));
          }
          return 0;
        }
        case 'export':
          await exportAll(c, ns, io);
          return 0;
        case 'import': {
          const bar = progressReporter(`import ${arg}`, { json: v.json === true });
          const r = await importFile(c, ns, arg, bar).finally(() => bar.end());
          if (v.json) io.out(JSON.stringify(r));
          else {
            io.out(`imported ${r.imported}, updated ${r.updated}, unchanged ${r.unchanged}, skipped ${r.skipped.length}`);
            for (const s of r.skipped) io.err(`line ${s.line}: ${s.code}: ${s.message}`);
          }
          return r.skipped.length > 0 ? 1 : 0;
        }
      }
      return 2;
    },
  },
};

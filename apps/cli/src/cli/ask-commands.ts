// `aios ask "TEXT"` and `aios intents`: semantic IPC from the command line. They speak to the running node's
// /v1/ask and /v1/intents routes (api/ask-routes.ts), which forward to semantic-ipcd.
// To merge: `{ ...COMMANDS, ...ASK_COMMANDS }`.

import { AiosError } from '@aios/abi';
import { resolveDataDir } from 'aios/offline';
import { connect } from './client.ts';
import { table } from './format.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import type { Command } from './commands.ts';
import { escapeTerminal } from './term.ts';
import { explainNoRoute } from './no-route.ts';

interface IntentRow {
  agent: number;
  agentName: string;
  intent: string;
  description?: string;
}

/** A fixed-width table of intents. */
export function intentTable(rows: IntentRow[]): string {
  const head = ['AGENT', 'NAME', 'INTENT', 'DESCRIPTION'];
  const body = rows.map((r) => [String(r.agent), r.agentName, r.intent, r.description ?? '']);
  return table([head, ...body]);
}

const COMMON = { ...COMMON_OPTS, ...JSON_OPT };

export const ASK_COMMANDS: Record<string, Command> = {
  ask: {
    summary: 'ask whoever serves a request, routed by meaning (semantic-ipcd)',
    usage: 'aios ask "TEXT" [--payload JSON] [--intent NAME] [--timeout MS] [--json]',
    options: {
      ...COMMON,
      payload: { type: 'string', help: "the request's payload as JSON (checked against the target's input schema)" },
      intent: { type: 'string', help: 'ask this exact intent instead of routing by meaning' },
      timeout: { type: 'string', help: 'how long the target may take, in ms (default 10000)' },
    },
    positionals: 0,
    async run(v, [text], io) {
      const body: Record<string, unknown> = {};
      if (text !== undefined) body.text = text;
      if (typeof v.intent === 'string') body.intent = v.intent;
      if (body.text === undefined && body.intent === undefined) throw new AiosError('EINVAL', 'aios ask needs TEXT or --intent', { arg: 'text' });
      if (typeof v.payload === 'string') {
        try {
          body.payload = JSON.parse(v.payload);
        } catch {
          throw new AiosError('EINVAL', '--payload must be JSON', { arg: 'payload' });
        }
      }
      if (typeof v.timeout === 'string') {
        const t = Number(v.timeout);
        if (!Number.isInteger(t) || t < 1) throw new AiosError('EINVAL', '--timeout must be a positive integer (ms)', { arg: 'timeout' });
        body.timeoutMs = t;
      }
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      let r: { result: unknown };
      try {
        r = await c.request<{ result: unknown }>('POST', '/v1/ask', body);
      } catch (e) {
        // A near miss says why without --json (candidates and threshold); --json keeps the detail as it came.
        const why = !v.json && e instanceof AiosError && e.code === 'ENOROUTE' ? explainNoRoute(e.detail as Record<string, unknown> | undefined) : null;
        if (why !== null) throw new AiosError('ENOROUTE', `${(e as AiosError).message}\n${escapeTerminal(why)}`, (e as AiosError).detail);
        throw e;
      }
      io.out(v.json ? JSON.stringify(r.result) : typeof r.result === 'string' ? escapeTerminal(r.result) : JSON.stringify(r.result, null, 2));
      return 0;
    },
  },
  intents: {
    summary: 'list the intents registered with semantic-ipcd (--status: its embedder and refusal threshold)',
    usage: 'aios intents [--status] [--json]',
    options: { ...COMMON, status: { type: 'boolean', help: "show semantic-ipcd's embedder, refusal threshold (configured, the default, or derived from the registry) and load" } },
    positionals: 0,
    async run(v, _p, io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      if (v.status === true) {
        const st = await c.request<Record<string, unknown>>('GET', '/v1/intents/status');
        if (v.json) io.out(JSON.stringify(st));
        else {
          // People read which embedder routes (its name, or 'none'), not a boolean and a name on two lines.
          const { embedder, embedderName, ...rest } = st;
          const name = embedder === false ? 'none (lexical routing only)' : typeof embedderName === 'string' ? embedderName : 'yes';
          io.out([`embedder: ${escapeTerminal(name)}`, ...Object.entries(rest).map(([k, x]) => `${k}: ${x === null ? '-' : typeof x === 'object' ? JSON.stringify(x) : String(x)}`)].join('\n'));
        }
        return 0;
      }
      const rows = await c.request<IntentRow[]>('GET', '/v1/intents');
      io.out(v.json ? JSON.stringify(rows) : intentTable(rows));
      return 0;
    },
  },
};

// `aios svc ls|start NAME|stop NAME|restart NAME|graph`: the service manager's
// commands. They speak to the running node's /v1/svc routes (api/svc-routes.ts),
// which forward to initd. To merge: `{ ...COMMANDS, ...SVC_COMMANDS }`.

import { AiosError } from '@aios/abi';
import { resolveDataDir } from 'aios/offline';
import { connect } from './client.ts';
import { table } from './format.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import type { Command } from './commands.ts';

interface UnitRow {
  name: string;
  state: string;
  agent: number | null;
  restart: string;
  requires: string[];
  level: number | null;
  restarts: number;
  description: string;
  why?: string;
}

const ACTIONS = ['ls', 'start', 'stop', 'restart', 'graph'] as const;

/** A fixed-width table of units (ls). */
export function unitTable(rows: UnitRow[]): string {
  const head = ['UNIT', 'STATE', 'AGENT', 'RESTART', 'RESTARTS', 'LEVEL', 'REQUIRES', 'NOTE'];
  const body = rows.map((r) => [r.name, r.state, r.agent === null ? '-' : String(r.agent), r.restart, String(r.restarts), r.level === null ? '-' : String(r.level), r.requires.join(',') || '-', r.why ?? r.description]);
  return table([head, ...body]);
}

export const SVC_COMMANDS: Record<string, Command> = {
  svc: {
    summary: 'the node services (initd units): ls, start NAME, stop NAME, restart NAME, graph',
    usage: 'aios svc ls|start NAME|stop NAME|restart NAME|graph [--dot|--tree] [--json]',
    options: {
      ...COMMON_OPTS, ...JSON_OPT,
      dot: { type: 'boolean', help: 'graph: print only the Graphviz DOT' },
      tree: { type: 'boolean', help: 'graph: print only the tree' },
    },
    positionals: 1,
    async run(v, [action, name], io) {
      if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new AiosError('EINVAL', `unknown svc action '${action}' (one of ${ACTIONS.join(', ')})`, { arg: 'action' });
      const needsName = action === 'start' || action === 'stop' || action === 'restart';
      if (needsName && !name) throw new AiosError('EINVAL', `aios svc ${action} needs a unit name`, { arg: 'name' });
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      if (action === 'ls') {
        const rows = await c.request<UnitRow[]>('GET', '/v1/svc');
        io.out(v.json ? JSON.stringify(rows) : unitTable(rows));
        return 0;
      }
      if (action === 'graph') {
        const g = await c.request<{ dot: string; tree: string; levels: string[][] }>('GET', '/v1/svc/graph');
        if (v.json) io.out(JSON.stringify(g));
        else if (v.dot) io.out(g.dot);
        else if (v.tree) io.out(g.tree);
        else io.out(`${g.tree}\n\n${g.dot}`);
        return 0;
      }
      const r = await c.request<{ unit: string; started?: string[]; stopped?: string[] }>('POST', `/v1/svc/${encodeURIComponent(name!)}/${action}`);
      if (v.json) io.out(JSON.stringify(r));
      else {
        const list = r.started ?? r.stopped ?? [];
        const verb = r.stopped ? 'stopped' : 'started';
        io.out(list.length === 0 ? `${name}: nothing to do` : `${verb} ${list.join(', ')}`);
      }
      return 0;
    },
  },
};

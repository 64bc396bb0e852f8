// The `aios` commands. Each parses its own flags, has --help, and (where it
// prints data) --json. Errors are AiosErrors; main.ts turns them into exit codes.

import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { AiosError, ERROR_CODES, EXIT_CODE_BY_CATEGORY, isErrorCode, type AgentInfo, type SpawnOptions } from '@aios/abi';
import { checkCaps, parseCapList, resolveDataDir, shellCapsFromEnv } from 'aios/offline';
import { connect } from './client.ts';
import { psTable, topTable } from './format.ts';
import { COMMON_OPTS as COMMON, JSON_OPT } from './options.ts';
import { escapeTerminal } from './term.ts';
import { spawnOnNode } from './cluster-commands.ts';

export interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; help: string }>;
  positionals: number;
  /** Extra help lines (environment variables, examples), printed after the options. */
  notes?: string[];
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<number>;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}


function spawnOptions(v: Record<string, string | boolean | undefined>): SpawnOptions {
  const o: SpawnOptions = {};
  if (typeof v.name === 'string') o.name = v.name;
  if (typeof v.nice === 'string') {
    const n = Number(v.nice);
    if (!Number.isInteger(n)) throw new AiosError('EINVAL', '--nice must be an integer from -20 to 19');
    o.nice = n;
  }
  if (typeof v.domain === 'string') o.domain = v.domain as SpawnOptions['domain'];
  if (v.durable === true) o.durable = true;
  if (typeof v.restart === 'string') o.restart = v.restart as SpawnOptions['restart'];
  if (typeof v.mount === 'string') o.mounts = parseMounts(v.mount);
  if (typeof v.net === 'string') o.net = v.net.split(',').map((h) => h.trim()).filter(Boolean);
  if (typeof v.config === 'string') {
    try {
      o.config = JSON.parse(v.config);
    } catch {
      throw new AiosError('EINVAL', '--config must be JSON');
    }
  }
  if (typeof v.cap === 'string') o.capabilities = parseCapList(v.cap);
  return o;
}

/** `--mount HOST_DIR:NAME[:ro]` (several separated by commas); host folders become absolute here. */
function parseMounts(text: string): NonNullable<SpawnOptions['mounts']> {
  return text.split(',').filter(Boolean).map((spec) => {
    const parts = spec.split(':');
    const ro = parts[parts.length - 1] === 'ro';
    if (ro) parts.pop();
    const name = parts.pop();
    if (parts.length === 0 || !name) throw new AiosError('EINVAL', `--mount ${spec}: use HOST_DIR:NAME[:ro]`, { arg: '--mount' });
    return { host: resolve(parts.join(':')), name, ...(ro ? { readOnly: true } : {}) };
  });
}

const SPAWN_OPTS = {
  mount: { type: 'string' as const, help: 'HOST_DIR:NAME[:ro] (comma-separated): folders the agent reads as NAME/... (@aios/runtime/fs)' },
  net: { type: 'string' as const, help: 'HOST[:PORT] (comma-separated, *.domain wildcards): hosts the agent may fetch; private addresses only by address' },
  name: { type: 'string' as const, help: 'agent name' },
  nice: { type: 'string' as const, help: 'nice value, -20 (most CPU) to 19' },
  domain: { type: 'string' as const, help: "execution domain: 'wasm' (sandboxed) or 'native' (trusted)" },
  config: { type: 'string' as const, help: 'JSON given to the agent as ctx.config' },
  durable: { type: 'boolean' as const, help: 'journal the agent and its unread messages so it survives a crash of the node' },
  restart: { type: 'string' as const, help: 'for durable agents: permanent (default), transient or temporary' },
  cap: { type: 'string' as const, help: "privileges to grant, a comma list (e.g. spawn,supervise); never more than the node allows (AIOS_SHELL_CAPS, default spawn,supervise)" },
};

/**
 * `aios run`'s exit code: an agent that trapped on an AiosError exits with its class's code (ENOROUTE: 6,
 * EPERM: 3, ...; EXIT_CODE_BY_CATEGORY), as a failed command would; otherwise the agent's own exit code.
 */
function runExitCode(st: { code: number; reason: string }): number {
  const m = /^trap: exception: (E[A-Z0-9]+): /.exec(st.reason);
  const code = m?.[1];
  if (code === undefined || !isErrorCode(code)) return st.code;
  return EXIT_CODE_BY_CATEGORY[ERROR_CODES[code].category] ?? st.code;
}

function agentRef(s: string): string {
  return encodeURIComponent(s);
}

/** The node (`aios`, apps/node): loaded only by the commands that boot one in this process. */
async function bootNode(...args: Parameters<typeof import('aios').boot>): ReturnType<typeof import('aios').boot> {
  const { boot } = await import('aios');
  return boot(...args);
}

export function demoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const cand of [join(here, '..', 'demo'), join(here, '..', '..', 'demo')]) if (existsSync(join(cand, 'coordinator.ts'))) return cand;
  throw new AiosError('ENOENT', 'demo agents not found next to the CLI');
}

/** --cpus N: a whole number (the node checks the range). */
function cpusFlag(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new AiosError('EINVAL', `--cpus must be a whole number, not ${JSON.stringify(v)}`, { arg: 'cpus' });
  return n;
}

export const COMMANDS: Record<string, Command> = {
  boot: {
    summary: 'boot a node in the foreground (HTTP/WebSocket API on 127.0.0.1); Ctrl-C stops it',
    usage: 'aios boot [--port N] [--demo] [--data-dir DIR] [--allow-native-api] [--accept-audit-rollback] [--require-signed] [--allow-unverified] [--storage postgres://...] [--cpus N] [--cluster nats://HOST:PORT --node NAME [--cookie C]]',
    options: {
      ...COMMON, ...JSON_OPT,
      port: { type: 'string', help: 'API port (default 7777; 0 picks a free port)' },
      'allow-native-api': { type: 'boolean', help: "let API clients spawn native (trusted, unsandboxed) agents, which run as the node's user" },
      'accept-audit-rollback': { type: 'boolean', help: 'boot even though the audit log is shorter than, or differs from, its anchor in kernel.db (recorded in the log)' },
      'require-signed': { type: 'boolean', help: 'refuse to spawn images without a valid signature from a trusted key (aios sign, aios keys): EACCES, audited' },
      'allow-unverified': { type: 'boolean', help: "boot even when the node's files differ from the signed build manifest (secure boot; audited)" },
      storage: { type: 'string', help: 'storage URL: postgres://USER@HOST:PORT/DB[?schema=NAME] shares memory between nodes (default: SQLite in the data folder; also AIOS_STORAGE_URL)' },
      cpus: { type: 'string', help: "executors (worker threads) running sandboxed agents (default: AIOS_CPUS, else the machine's cores; 0: on the kernel's thread)" },
      cluster: { type: 'string', help: 'join the cluster on this NATS server: nats://HOST:PORT (also AIOS_CLUSTER_URL)' },
      node: { type: 'string', help: "this node's name in the cluster (also AIOS_NODE_NAME)" },
      cookie: { type: 'string', help: 'cluster cookie (else AIOS_CLUSTER_COOKIE, else ~/.aios/cluster.cookie, created 0600)' },
      demo: { type: 'boolean', help: 'run the demo agents after boot' },
      'exit-after-demo': { type: 'boolean', help: 'shut down once the demo finished (for scripts and tests)' },
    },
    notes: [
      'environment:',
      '  AIOS_LLM_BASE_URL, AIOS_LLM_MODEL, AIOS_LLM_API_KEY, AIOS_LLM_SLOTS, AIOS_LLM_PIPELINE   the model device: an OpenAI-compatible',
      '      chat server (default: the offline deterministic stand-in)',
      '  AIOS_EMBED_BASE_URL, AIOS_EMBED_MODEL, AIOS_EMBED_API_KEY, AIOS_EMBED_DIM   the embedder device (memory',
      '      search, semantic IPC): an OpenAI-compatible embeddings server (default: the offline embedder-wink);',
      '      semantic-ipcd calibrates its refusal threshold for it at start',
      "  AIOS_ALLOW_NATIVE_API=1   same as --allow-native-api",
      "  AIOS_ALLOW_UNVERIFIED=1   same as --allow-unverified (also for aios run)",
      '  AIOS_API_IMAGE_ROOTS   folders (separated by the path delimiter) that API clients may spawn image files from',
      "      (default: the node's working folder); any other path is EACCES",
      '  AIOS_CPUS   executors when --cpus is not given (default: the machine\'s cores)',
      '  AIOS_STORAGE_URL   the storage device when --storage is not given: postgres://... (nodes on one database and',
      '      schema share one memory fabric); unset: SQLite in the data folder',
    ],
    positionals: 0,
    async run(v, _p, io) {
      const port = v.port === undefined ? 7777 : Number(v.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AiosError('EINVAL', '--port must be 0 to 65535');
      const json = v.json === true;
      const names = new Map<number, string>();
      // Signals are caught from the start: a Ctrl-C while the node is still booting stops it cleanly once up.
      let early: string | null = null;
      let onSignal: (sig: string) => void = (sig) => (early = sig);
      process.once('SIGINT', () => onSignal('SIGINT'));
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      const node = await bootNode({
        dataDir: v['data-dir'] as string | undefined,
        config: {
          api: true,
          services: true,
          port,
          ...(v['allow-native-api'] === true ? { allowNativeApi: true } : {}),
          ...(v['accept-audit-rollback'] === true ? { acceptAuditRollback: true } : {}),
          ...(v['require-signed'] === true ? { requireSigned: true } : {}),
          ...(v['allow-unverified'] === true ? { allowUnverified: true } : {}),
          ...(typeof v.storage === 'string' ? { storage: v.storage } : {}),
          ...(typeof v.cpus === 'string' ? { cpus: cpusFlag(v.cpus) } : {}),
          cluster: { ...(typeof v.cluster === 'string' ? { cluster: v.cluster } : {}), ...(typeof v.node === 'string' ? { node: v.node } : {}), ...(typeof v.cookie === 'string' ? { cookie: v.cookie } : {}) },
          onLog: (id, name, line) => {
            names.set(id, name);
            io.out(json ? JSON.stringify({ type: 'log', agent: id, name, line }) : `[${escapeTerminal(name)}#${id}] ${escapeTerminal(line)}`);
          },
        },
      });
      const say = (msg: string, extra: Record<string, unknown> = {}) => io.out(json ? JSON.stringify({ type: 'node', msg, ...extra }) : `aios: ${escapeTerminal(msg)}`);
      for (const w of node.warnings) say(`warning: ${w}`, { warning: w });
      say(`node up at http://127.0.0.1:${node.api!.port} (data ${node.dataDir}; token in ${join(node.dataDir, 'token')})`, { port: node.api!.port, dataDir: node.dataDir });
      for (const r of node.recovered) say(`recovered durable agent ${r.name}#${r.id} with ${r.pending} unread message(s)`, { agent: r.id, pending: r.pending });
      const model = node.host.kernel.model;
      if (model) say(`model device: ${model.driver.info.name} (${model.driver.info.description}), ${model.slots} slot(s)`);
      node.host.kernel.subscribeHost('agent.*.start', (e) => {
        const d = e.data as { id: number; name: string; domain: string };
        say(`agent ${d.name}#${d.id} started in the ${d.domain} domain${d.domain === 'wasm' ? ' (sandboxed)' : ''}`, { agent: d.id, domain: d.domain });
      });
      node.host.kernel.subscribeHost('agent.*.exit', (e) => {
        const d = e.data as { id: number; name: string; code: number; reason: string };
        say(`agent ${d.name}#${d.id} exited with code ${d.code} (${d.reason})`, { agent: d.id, code: d.code });
      });
      let stopping: Promise<void> | null = null;
      const stop = (why: string) => {
        stopping ??= (async () => {
          say(`shutting down (${why})`);
          await node.shutdown();
          say('node stopped');
        })();
        return stopping;
      };
      const done = new Promise<void>((resolveDone) => {
        onSignal = (sig) => void stop(sig).then(resolveDone);
        if (early !== null) onSignal(early);
      });
      if (v.demo) {
        const dir = demoDir();
        say(`running the demo agents from ${dir}`);
        const id = await node.spawn({ path: join(dir, 'coordinator.ts') }, { name: 'coordinator', config: { dir }, capabilities: ['spawn', 'supervise'] });
        const st = await node.wait(id);
        say(st.code === 0 ? 'demo finished; the node keeps running (Ctrl-C to stop)' : `demo failed with code ${st.code}: ${st.reason}`);
        if (v['exit-after-demo']) {
          await stop('demo finished');
          return st.code === 0 ? 0 : 1;
        }
      }
      await done;
      return 0;
    },
  },

  run: {
    summary: 'boot an ephemeral node (a temporary data folder unless --data-dir), run one agent until it exits, print its log and exit record, exit with its exit code',
    usage: 'aios run FILE [--cap LIST] [--name N] [--domain D] [--mount HOST_DIR:NAME[:ro]] [--net HOST[:PORT],...] [--timeout MS] [--no-services] [--json]',
    options: {
      ...COMMON, ...JSON_OPT, ...SPAWN_OPTS,
      timeout: { type: 'string', help: 'kill the agent after this many ms (exit record reason: timeout)' },
      'no-services': { type: 'boolean', help: 'the minimal kernel: no initd, memoryd, semantic-ipcd (ask and remember fail with ENOENT)' },
    },
    notes: [
      'An agent that keeps serving (only onMessage or intents) runs until it exits, Ctrl-C, or --timeout.',
      'The exit record goes to stderr (a JSON line on stdout with --json); the temporary folder is removed.',
    ],
    positionals: 1,
    async run(v, [file], io) {
      const json = v.json === true;
      const opts = spawnOptions(v);
      checkCaps(opts.capabilities, shellCapsFromEnv(process.env)); // the node's policy, as for the API
      let timeoutMs: number | undefined;
      if (typeof v.timeout === 'string') {
        timeoutMs = Number(v.timeout);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new AiosError('EINVAL', '--timeout must be a whole number of ms, at least 1', { arg: '--timeout', value: v.timeout });
      }
      // Ctrl-C (or SIGTERM) before or while the agent runs kills it; the exit record and clean-up still happen.
      let stopWith: string | null = null;
      let onSignal: (sig: string) => void = (sig) => (stopWith = sig);
      const sigint = () => onSignal('SIGINT');
      const sigterm = () => onSignal('SIGTERM');
      process.on('SIGINT', sigint);
      process.on('SIGTERM', sigterm);
      // An ephemeral node: its own temporary data folder unless one is named (never a running node's folder).
      const temp = v['data-dir'] === undefined ? mkdtempSync(join(tmpdir(), 'aios-run-')) : undefined;
      let firstId: number | null = null;
      const early: Array<[number, string, string]> = [];
      const print = (id: number, name: string, line: string) => io.out(json ? JSON.stringify({ type: 'log', agent: id, name, line }) : escapeTerminal(line));
      try {
        const node = await bootNode({
          dataDir: (v['data-dir'] as string | undefined) ?? temp,
          config: {
            services: v['no-services'] !== true,
            // Only the agent's lines (and its children's): the services' start-up lines are not the user's output.
            onLog: (id, name, line) => {
              if (firstId === null) early.push([id, name, line]);
              else if (id >= firstId) print(id, name, line);
            },
          },
        });
        try {
          firstId = Math.max(0, ...node.ps().map((a) => a.id)) + 1; // ids grow: the agent's is above every service's
          const id = await node.spawn({ path: resolve(file!) }, opts);
          firstId = id;
          for (const [i, n, l] of early.splice(0)) if (i >= id) print(i, n, l);
          const name = node.ps().find((a) => a.id === id)?.name ?? String(id);
          onSignal = (sig) => void node.kill(id, sig);
          if (stopWith !== null) onSignal(stopWith);
          const timer = timeoutMs === undefined ? undefined : setTimeout(() => node.kill(id, 'timeout'), timeoutMs);
          const st = await node.wait(id);
          clearTimeout(timer);
          if (json) io.out(JSON.stringify({ type: 'exit', agent: id, name, code: st.code, reason: st.reason }));
          else io.err(`aios: agent ${escapeTerminal(name)}#${id} exited with code ${st.code} (${escapeTerminal(st.reason)})`);
          return runExitCode(st);
        } finally {
          await node.shutdown();
        }
      } finally {
        process.off('SIGINT', sigint);
        process.off('SIGTERM', sigterm);
        if (temp) rmSync(temp, { recursive: true, force: true });
      }
    },
  },

  spawn: {
    summary: 'spawn an agent on the running node',
    usage: 'aios spawn FILE [--cap LIST] [--name N] [--nice N] [--domain D] [--mount HOST_DIR:NAME[:ro]] [--net HOST[:PORT],...] [--node NAME] [--json]',
    options: { ...COMMON, ...JSON_OPT, ...SPAWN_OPTS, node: { type: 'string', help: 'spawn on another node of the cluster (the file is sent as source)' } },
    positionals: 1,
    async run(v, [file], io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      if (typeof v.node === 'string') return spawnOnNode(c, v.node, file!, v, io);
      const a = await c.request<AgentInfo>('POST', '/v1/agents', { path: resolve(file!), opts: spawnOptions(v) });
      io.out(v.json ? JSON.stringify(a) : `${a.id}`);
      return 0;
    },
  },

  ps: {
    summary: 'list the agents of the running node',
    usage: 'aios ps [--json]',
    options: { ...COMMON, ...JSON_OPT, all: { type: 'boolean', short: 'a', help: 'include exited agents' } },
    positionals: 0,
    async run(v, _p, io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      let agents = await c.request<AgentInfo[]>('GET', '/v1/agents');
      if (!v.all && !v.json) agents = agents.filter((a) => a.state !== 'zombie' && a.state !== 'dead');
      io.out(v.json ? JSON.stringify(agents) : psTable(agents));
      return 0;
    },
  },

  kill: {
    summary: 'kill an agent (by id or name)',
    usage: 'aios kill ID [--reason TEXT]',
    options: { ...COMMON, ...JSON_OPT, reason: { type: 'string', help: 'reason recorded in the exit notice' } },
    positionals: 1,
    async run(v, [id], io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      await c.request('DELETE', `/v1/agents/${agentRef(id!)}`, v.reason ? { reason: v.reason } : {});
      io.out(v.json ? JSON.stringify({ ok: true, agent: id }) : `killed ${id}`);
      return 0;
    },
  },

  release: {
    summary: 'release an agent that behavioural analysis quarantined or throttled (by id or name)',
    usage: 'aios release ID',
    options: { ...COMMON, ...JSON_OPT },
    positionals: 1,
    async run(v, [id], io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      await c.request('POST', `/v1/agents/${agentRef(id!)}/release`, {});
      io.out(v.json ? JSON.stringify({ ok: true, agent: id }) : `released ${id}`);
      return 0;
    },
  },

  send: {
    summary: 'send a text message to an agent (by id or name)',
    usage: 'aios send ID TEXT',
    options: { ...COMMON, ...JSON_OPT },
    positionals: 2,
    async run(v, [id, text], io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      await c.request('POST', `/v1/agents/${agentRef(id!)}/messages`, { text });
      io.out(v.json ? JSON.stringify({ ok: true, agent: id }) : `sent ${Buffer.byteLength(text!)} bytes to ${id}`);
      return 0;
    },
  },

  top: {
    summary: 'a live view of the agents: state, weight, virtual runtime, CPU time, share and model tokens',
    usage: 'aios top [--interval MS] [--once] [--json]',
    options: { ...COMMON, ...JSON_OPT, interval: { type: 'string', help: 'refresh period in ms (default 1000)' }, once: { type: 'boolean', help: 'print one frame and exit' } },
    positionals: 0,
    async run(v, _p, io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      const interval = v.interval === undefined ? 1000 : Number(v.interval);
      if (!Number.isInteger(interval) || interval < 100) throw new AiosError('EINVAL', '--interval must be an integer of at least 100 ms');
      let prev = new Map<number, number>();
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      for (;;) {
        const agents = (await c.request<AgentInfo[]>('GET', '/v1/agents')).filter((a) => a.state !== 'zombie' && a.state !== 'dead');
        // Share is of the CPU time used since the previous frame (the first frame: since boot).
        const delta = agents.map((a) => a.cpuMs - (prev.get(a.id) ?? 0));
        const total = delta.reduce((s, d) => s + Math.max(0, d), 0) || 1;
        const rows = agents.map((a, i) => ({ ...a, share: Math.max(0, delta[i]!) / total }));
        prev = new Map(agents.map((a) => [a.id, a.cpuMs]));
        if (v.json) io.out(JSON.stringify(rows));
        else {
          if (!v.once) io.out('\x1b[2J\x1b[H');
          io.out(`aios top - ${new Date().toISOString()}  agents: ${rows.length}  (Ctrl-C to quit)\n`);
          io.out(topTable(rows));
        }
        if (v.once || stop) return 0;
        await new Promise((r) => setTimeout(r, interval));
        if (stop) return 0;
      }
    },
  },

  logs: {
    summary: 'print the log of an agent (by id or name)',
    usage: 'aios logs ID [--follow] [--json]',
    options: { ...COMMON, ...JSON_OPT, follow: { type: 'boolean', short: 'f', help: 'keep printing new lines until Ctrl-C' } },
    positionals: 1,
    async run(v, [id], io) {
      const c = connect(resolveDataDir(v['data-dir'] as string | undefined));
      const { lines } = await c.request<{ lines: string[] }>('GET', `/v1/agents/${agentRef(id!)}/logs`);
      for (const l of lines) io.out(v.json ? JSON.stringify({ line: l }) : escapeTerminal(l));
      if (!v.follow) return 0;
      const info = await c.request<AgentInfo>('GET', `/v1/agents/${agentRef(id!)}`);
      if (info.state === 'zombie' || info.state === 'dead') return 0;
      const { WebSocket } = await import('ws');
      const ws = new WebSocket(`${c.base.replace('http', 'ws')}/v1/events?pattern=agent.${info.id}.*&token=${encodeURIComponent(c.token)}`);
      return await new Promise<number>((resolveRun) => {
        ws.on('message', (raw) => {
          const e = JSON.parse(String(raw)) as { topic: string; data: { line?: string; code?: number } };
          if (e.topic.endsWith('.log')) io.out(v.json ? JSON.stringify({ line: e.data.line }) : escapeTerminal(String(e.data.line)));
          if (e.topic.endsWith('.exit')) ws.close();
        });
        ws.on('close', () => resolveRun(0));
        // The agent may have exited between the first read and the subscription: check again once subscribed.
        ws.on('open', () => {
          void c.request<AgentInfo>('GET', `/v1/agents/${info.id}`).then((now) => {
            if (now.state === 'zombie' || now.state === 'dead') ws.close();
          }, () => ws.close());
        });
        ws.on('error', () => resolveRun(0));
        process.once('SIGINT', () => ws.close());
      });
    },
  },
};

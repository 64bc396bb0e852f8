// boot(): the programmatic way to run an AIOS node in this process. It wires the
// kernel to real ports (clock, timers, esbuild loader, PQC worker), optionally
// serves the HTTP/WebSocket API, and gives a small host API over the root agent.

import { KernelHost, createWasmDomain, type ExecutionDomain, type KernelConfig, type ExitStatus } from '@aios/kernel';
import type { AgentImage, AgentInfo, AuditRecord, EmbedderDriver, SpawnOptions } from '@aios/abi';
import { hostPorts } from '@aios/drivers/host-ports';
import { driverFromEnv } from '@aios/drivers/llm-openai';
import { createPqcPool } from './pqc-pool.ts';
import { fileCheckpointStore } from './checkpoints.ts';
import { openJournal } from './journal.ts';
import { SERVICE_IMAGES, serviceImage, unitFiles } from './services.ts';
import { registerServices } from './service-registry.ts';
import { chooseStorage } from './storage.ts';
import { embedderFromEnv } from '@aios/drivers/embedder-openai';
import { ensureDataDir, readNodeFile, removeNodeFile, resolveDataDir, writeNodeFile, writeToken } from './data-dir.ts';
import { AiosError } from '@aios/abi';
import { startApiServer, type ApiServer } from '../api/server.ts';
import { prepareSecurity } from '../security/index.ts';

export interface NodeConfig extends KernelConfig {
  /** Serve the HTTP and WebSocket API (default false for boot(), true for `aios boot`). */
  api?: boolean;
  /** API port on 127.0.0.1 (default 7777; 0 picks a free one). */
  port?: number;
  /** Extra execution domains (the wasm domain registers itself when available). */
  domains?: ExecutionDomain[];
  /** Called with every agent log line. */
  onLog?: (agent: number, name: string, line: string) => void;
  /** Start initd and the services of its units (default true for `aios boot`, false for boot()). */
  services?: boolean;
  /**
   * The embedder device (memoryd, semantic-ipcd). Default: an OpenAI-compatible embeddings server from
   * AIOS_EMBED_BASE_URL/MODEL/API_KEY/DIM, else the offline embedder-wink (loaded on first use).
   */
  embedder?: EmbedderDriver;
  /** Storage URL (postgres://...; see storage.ts). Default: AIOS_STORAGE_URL, else SQLite in the data folder. */
  storage?: string;
}

export interface BootOptions {
  dataDir?: string;
  config?: NodeConfig;
}

export interface AiosNode {
  readonly dataDir: string;
  readonly host: KernelHost;
  /** The API's address when it is served. */
  readonly api: { port: number; token: string } | null;
  /** initd's agent id, when the node runs its services. */
  readonly initd: number | null;
  /** Durable agents brought back from the journal at this boot. */
  readonly recovered: Array<{ key: string; id: number; name: string; pending: number }>;
  spawn(pathOrSource: string | AgentImage, opts?: SpawnOptions): Promise<number>;
  send(agent: number | string, data: Uint8Array | string): void;
  ps(): AgentInfo[];
  kill(agent: number | string, reason?: string): void;
  logs(agent: number | string): string[];
  wait(agent: number): Promise<ExitStatus>;
  audit(): AuditRecord[];
  shutdown(): Promise<void>;
}

export async function boot(opts: BootOptions = {}): Promise<AiosNode> {
  const config = opts.config ?? {};
  // Drivers from the environment first, so a bad variable (EINVAL) fails before anything is opened.
  // The model device: an OpenAI-compatible backend from AIOS_LLM_BASE_URL/MODEL/API_KEY, else the offline stand-in.
  const llm = config.llm ?? driverFromEnv(process.env);
  const embedder = config.services ? (config.embedder ?? embedderFromEnv(process.env)) : null;
  const dataDir = resolveDataDir(opts.dataDir);
  const storageChoice = embedder !== null ? chooseStorage(config.storage ?? process.env.AIOS_STORAGE_URL, dataDir) : null;
  ensureDataDir(dataDir);
  refuseIfRunning(dataDir);
  // The storage device opens first: an unreachable database fails the boot (EIO) before anything else runs.
  const storage = storageChoice?.create() ?? null;
  await storage?.open?.();
  const pqc = createPqcPool();
  const journal = openJournal(dataDir);
  const ports = { ...hostPorts({ offload: pqc, log: config.onLog }), checkpoints: fileCheckpointStore(dataDir), journal };
  const domains = [...(config.domains ?? []), ...(await defaultDomains(ports))];
  // Security: the node key, the persistent audit chain, Cedar policies (swappable at run time), attestation.
  const security = await prepareSecurity({ dataDir, ports });
  const host = new KernelHost(ports, { defaultDomain: domains.some((d) => d.name === 'wasm') ? 'wasm' : 'native', ...config, llm, policy: config.policy ?? ((req) => security.authorize(req)), policyAdmin: config.policyAdmin ?? { apply: (text) => security.applyPolicy(text) }, tokens: config.tokens ?? { key: security.identity.key, nodeAudience: `node:${security.identity.key.keyId.slice(0, 16)}` } }, domains);
  await security.attach(host, { config });
  let api: ApiServer | null = null;
  let apiInfo: AiosNode['api'] = null;
  if (config.api) {
    const token = writeToken(dataDir);
    api = await startApiServer(host, { port: config.port ?? 7777, token });
    apiInfo = { port: api.port, token };
    writeNodeFile(dataDir, { pid: process.pid, port: api.port, host: '127.0.0.1', startedAt: Date.now() });
  }
  // Devices on the bus: storage (SQLite in the data folder, or the shared Postgres) and the embedder.
  if (embedder !== null && storage !== null) {
    host.kernel.plugDevice('storage', storage);
    host.kernel.plugDevice('embedder', embedder);
  }
  // initd is the first agent: it starts the services from their units, in dependency order.
  let initd: number | null = null;
  if (config.services) {
    const images = Object.fromEntries(SERVICE_IMAGES.filter((n) => n !== 'initd').map((n) => [n, { path: serviceImage(n) }]));
    initd = await host.spawn({ path: serviceImage('initd') }, {
      name: 'initd', domain: 'native', capabilities: ['spawn', 'supervise', 'admin'], devices: ['storage', 'embedder'],
      config: { images, unitFiles: unitFiles(dataDir) },
    });
  }
  // Services initd started are granted (SEND) to the agents the host spawns.
  const registry = initd !== null ? await registerServices(host, initd) : null;
  // Durable agents of the journal come back (after a clean stop or a crash), with their unread messages.
  const recovered = config.services ? await host.recover() : [];
  let down = false;
  return {
    dataDir,
    host,
    api: apiInfo,
    initd,
    recovered,
    spawn: (image, o) => host.spawn(image, o),
    send: (agent, data) => host.send(agent, data),
    ps: () => host.ps(),
    kill: (agent, reason) => host.kill(agent, reason),
    logs: (agent) => host.logs(agent),
    wait: (agent) => host.waitExit(agent),
    audit: () => host.kernel.audit.records(),
    async shutdown() {
      if (down) return;
      down = true;
      // initd checkpoints every agent, then stops the services in reverse order.
      if (initd !== null && host.kernel.agents.get(initd)?.alive) {
        try {
          host.call('IPCSend', host.handleFor(initd), new Uint8Array(0), { tag: 'shutdown' });
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([host.waitExit(initd), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
          clearTimeout(timer);
        } catch {
          /* initd already gone */
        }
      }
      registry?.close();
      host.shutdown();
      await storage?.close().catch(() => {});
      await security.close();
      journal.close();
      await api?.close();
      if (api) removeNodeFile(dataDir);
      await pqc.close();
    },
  };
}

/** The wasm domain (the default for user agents): QuickJS sandboxes on the node's clock and randomness. */
async function defaultDomains(ports: ReturnType<typeof hostPorts>): Promise<ExecutionDomain[]> {
  return [createWasmDomain({ random: ports.random, now: () => ports.clock.monotonic() })];
}

/** One node per data folder: its journal and audit log have one writer. EBUSY when a live node holds it. */
function refuseIfRunning(dataDir: string): void {
  const info = readNodeFile(dataDir);
  if (info === undefined || info.pid === process.pid) return;
  try {
    process.kill(info.pid, 0);
  } catch {
    return; // a stale node.json: that node is gone
  }
  throw new AiosError('EBUSY', `a node (pid ${info.pid}) is already running on ${dataDir}; stop it or use another --data-dir`, { dataDir, pid: info.pid });
}

// boot(): the programmatic way to run an AIOS node in this process. It wires the
// kernel to real ports (clock, timers, esbuild loader, PQC worker), optionally
// serves the HTTP/WebSocket API, and gives a small host API over the root agent.

import { resolveCpus } from './cpus.ts';
import { KernelHost, createWasmDomain, type ExecutionDomain, type KernelConfig, type ExitStatus } from '@aios/kernel';
import type { AgentImage, AgentInfo, AuditRecord, EmbedderDriver, SpawnOptions } from '@aios/abi';
import { hostPorts } from '@aios/drivers/host-ports';
import { driverFromEnv } from '@aios/drivers/llm-openai';
import { createPqcPool } from './pqc-pool.ts';
import { fileCheckpointStore } from './checkpoints.ts';
import { openJournal } from './journal.ts';
import { CLUSTER_ONLY_IMAGES, SERVICE_IMAGES, serviceImage, unitFiles } from './services.ts';
import { NODEKEY_DEVICE, createNodeKeyDevice } from '../security/identity-device.ts';
import { registerServices } from './service-registry.ts';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { checkDatabaseFile, precreatePrivate } from './sqlite.ts';
import { chooseStorage } from './storage.ts';
import { ClusterNode, clusterConfig, type ClusterFlags } from './cluster.ts';
import { TransportDevice } from './cluster-device.ts';
import { serveIntents } from './cluster-intents.ts';
import { embedderFromEnv } from '@aios/drivers/embedder-openai';
import { ensureDataDir, readNodeFile, removeNodeFile, resolveDataDir, writeNodeFile, writeToken } from './data-dir.ts';
import { AiosError } from '@aios/abi';
import { startApiServer, type ApiServer } from '../api/server.ts';
import { prepareSecurity } from '../security/index.ts';
import { plugMcpDevices } from './mcp-devices.ts';
import { readMcpConfig } from '@aios/drivers/mcp-client';
import { createOtelTracer, otelConfigFromEnv } from '@aios/drivers/otel';
import { createImageGate } from '../security/image-gate.ts';
import { runningDist, secureBoot } from '../security/secure-boot.ts';

export interface NodeConfig extends KernelConfig {
  /**
   * Executors (worker threads) running sandboxed agents: `aios boot --cpus N`. Default: AIOS_CPUS, else the
   * machine's available parallelism; 0 runs them on the kernel's thread. Sets KernelConfig.executors.
   */
  cpus?: number;
  /** Serve the HTTP and WebSocket API (default false for boot(), true for `aios boot`). */
  api?: boolean;
  /** API port on 127.0.0.1 (default 7777; 0 picks a free one). */
  port?: number;
  /** Extra execution domains (the wasm domain registers itself when available). */
  domains?: ExecutionDomain[];
  /** Called with every agent log line. */
  onLog?: (agent: number, name: string, line: string) => void;
  /**
   * Start initd and the services of its units (memoryd, semantic-ipcd, ...). Default true (boot(), `aios boot`,
   * `aios run`); false is the minimal kernel (`aios run --no-services`): ask and remember then fail with ENOENT.
   */
  services?: boolean;
  /**
   * The embedder device (memoryd, semantic-ipcd). Default: an OpenAI-compatible embeddings server from
   * AIOS_EMBED_BASE_URL/MODEL/API_KEY/DIM, else the offline embedder-wink (loaded on first use).
   */
  embedder?: EmbedderDriver;
  /**
   * Boot even though the audit log does not match its anchor in kernel.db (a shorter or rewritten log,
   * deleted checkpoints, a missing anchor). Recorded in the audit log as AuditRollbackAccepted.
   * `aios boot --accept-audit-rollback`.
   */
  acceptAuditRollback?: boolean;
  /**
   * Let API clients spawn agents in the native domain (trusted, unsandboxed: code running as the node's
   * user). Default false: such a POST /v1/agents is EACCES. Also AIOS_ALLOW_NATIVE_API=1 or
   * `aios boot --allow-native-api`.
   */
  allowNativeApi?: boolean;
  /**
   * Folders an API client may spawn path images from (default: the node's working folder at boot).
   * Also AIOS_API_IMAGE_ROOTS (folders separated by the path delimiter). A path outside them is EACCES.
   */
  apiImageRoots?: string[];
  /** Refuse to spawn images without a valid signature from a trusted key (EACCES, audited). `aios boot --require-signed`. */
  requireSigned?: boolean;
  /** Boot even when secure boot finds the node's files differ from the signed build manifest (audited). `--allow-unverified` or AIOS_ALLOW_UNVERIFIED=1. */
  allowUnverified?: boolean;
  /** The dist folder secure boot checks; default: the running bundle's (null, or running from sources: no check). */
  secureBootDist?: string | null;
  /** Storage URL (postgres://...; see storage.ts). Default: AIOS_STORAGE_URL, else SQLite in the data folder. */
  storage?: string;
  /** Cluster membership (`--cluster nats://HOST:PORT --node NAME [--cookie C]`; see node/cluster.ts). */
  cluster?: ClusterFlags;
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
  /** Problems fixed at boot (e.g. data folder modes tightened), one line each; also in the audit log. */
  readonly warnings: string[];
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
  const config = { ...(opts.config ?? {}) };
  config.services ??= true;
  // Drivers from the environment first, so a bad variable (EINVAL) fails before anything is opened.
  // The model device: an OpenAI-compatible backend from AIOS_LLM_BASE_URL/MODEL/API_KEY, else the offline stand-in.
  const llm = config.llm ?? driverFromEnv(process.env);
  const embedder = config.services ? (config.embedder ?? embedderFromEnv(process.env)) : null;
  const dataDir = resolveDataDir(opts.dataDir);
  // A bad storage URL fails (EINVAL) before anything is opened.
  const storageChoice = embedder !== null ? chooseStorage(config.storage ?? process.env.AIOS_STORAGE_URL, dataDir) : null;
  const warnings = ensureDataDir(dataDir);
  refuseIfRunning(dataDir);
  const mcpServers = readMcpConfig(dataDir); // a bad mcp.json fails (EINVAL) before anything is opened
  const allowNativeApi = config.allowNativeApi ?? process.env.AIOS_ALLOW_NATIVE_API === '1';
  config.executors = resolveCpus(config.cpus ?? config.executors); // EINVAL before anything is opened
  const imageRoots = config.apiImageRoots ?? (process.env.AIOS_API_IMAGE_ROOTS ? process.env.AIOS_API_IMAGE_ROOTS.split(delimiter).filter(Boolean) : [process.cwd()]);
  // The storage device opens first: a corrupt memory.db or an unreachable database fails the boot (EIO) before
  // anything else runs. SQLite's file is checked (quick_check) or created private (0600) first.
  if (storageChoice?.kind === 'sqlite') {
    const memoryDb = join(dataDir, 'memory.db');
    if (existsSync(memoryDb)) checkDatabaseFile(memoryDb);
    else precreatePrivate(memoryDb);
  }
  // OpenTelemetry from the standard OTEL_* variables (off, and the SDK never loaded, without an endpoint).
  const otelConfig = otelConfigFromEnv(process.env);
  const otel = otelConfig !== null ? await createOtelTracer(otelConfig) : null;
  const storage = storageChoice?.create() ?? null;
  await storage?.open?.();
  const pqc = createPqcPool();
  // Whatever was opened is closed again when boot fails (a refused audit log, a corrupt database, ...).
  const opened: Array<() => unknown> = [() => pqc.close(), () => storage?.close(), () => otel?.shutdown()];
  let host: KernelHost;
  let security: Awaited<ReturnType<typeof prepareSecurity>>;
  let journal: ReturnType<typeof openJournal>;
  let api: ApiServer | null = null;
  let apiInfo: AiosNode['api'] = null;
  try {
    journal = openJournal(dataDir);
    const j = journal;
    opened.push(() => j.close());
    const ports = { ...hostPorts({ offload: pqc, log: config.onLog, scratchDir: join(dataDir, 'scratch'), ...(otel !== null ? { tracer: otel.port } : {}) }), checkpoints: fileCheckpointStore(dataDir), journal };
    const gate = createImageGate(dataDir, config.requireSigned === true, () => serviceImage('initd'));
    ports.loader = gate.wrap(ports.loader);
    const domains = [...(config.domains ?? []), ...(await defaultDomains(ports))];
    // Security: the node key, the persistent audit chain (checked against its anchor), Cedar policies, attestation.
    security = await prepareSecurity({ dataDir, ports, ...(config.acceptAuditRollback ? { acceptAuditRollback: true } : {}) });
    const sec = security;
    opened.push(() => sec.close());
    host = new KernelHost(ports, { defaultDomain: domains.some((d) => d.name === 'wasm') ? 'wasm' : 'native', ...config, llm, policy: config.policy ?? ((req) => sec.authorize(gate.enrich(req))), spawnDefaults: config.spawnDefaults ?? sec.policy.spawnDefaultsHook(() => host.kernel.root.id), policyAdmin: config.policyAdmin ?? { apply: (text) => sec.applyPolicy(text) }, tokens: config.tokens ?? { key: sec.identity.key, nodeAudience: `node:${sec.identity.key.keyId.slice(0, 16)}` } }, domains);
    const h = host;
    opened.push(() => h.shutdown());
    await security.attach(host, { config, ...(config.services ? { serviceImages: SERVICE_IMAGES.map(serviceImage) } : {}) });
    gate.bind(host);
    sec.policy.bindProvenance((id) => gate.provenanceOf(id));
    const sb = secureBoot(host, security, { distDir: config.secureBootDist === undefined ? runningDist() : config.secureBootDist, allowUnverified: config.allowUnverified ?? process.env.AIOS_ALLOW_UNVERIFIED === '1', now: Date.now() });
    gate.build = { verified: sb?.ok === true, ...(sb?.ok ? { keyId: sb.keyId } : {}) };
    for (const w of warnings) host.kernel.audit.append(Date.now(), host.kernel.root.id, 'DataDirFixed', dataDir, 'ok', { warning: w });
    if (config.api) {
      const token = writeToken(dataDir);
      api = await startApiServer(host, { port: config.port ?? 7777, token, allowNativeApi, imageRoots });
      apiInfo = { port: api.port, token };
    }
    // Devices on the bus: storage (SQLite in the data folder, or the shared Postgres) and the embedder.
    if (embedder !== null && storage !== null) {
      host.kernel.plugDevice('storage', storage);
      // Postgres: which vector backend open() chose (pgvector or in-process HNSW) and why, for operators.
      const vectors = (storage as { vectorBackend?: () => object | null }).vectorBackend?.() ?? null;
      if (vectors !== null) host.kernel.audit.append(Date.now(), host.kernel.root.id, 'StorageVectorBackend', 'storage', 'ok', { ...vectors });
      host.kernel.plugDevice('embedder', embedder);
      // identityd's window on the node key (signatures, sealing key, agent quotes); granted through initd only.
      host.kernel.plugDevice(NODEKEY_DEVICE, createNodeKeyDevice({ host, identity: sec.identity, registers: () => sec.registers, now: () => Date.now() }));
    }
  } catch (e) {
    await api?.close();
    for (const close of opened.reverse()) {
      try {
        await close();
      } catch {
        /* keep closing the rest */
      }
    }
    throw e;
  }
  // MCP servers of the node's config as tool devices (mcp:<name>), granted per spawn like the others.
  const mcp = plugMcpDevices(host, mcpServers);
  // In a cluster: join before the services start (a bad flag is EINVAL, an unreachable server EIO); the
  // membership is the `transport` device initd hands to networkd, which runs only on a clustered node.
  const clusterCfg = clusterConfig(config.cluster ?? {});
  const clusterNode = clusterCfg !== null ? await ClusterNode.join(host, clusterCfg) : null;
  if (clusterNode !== null) {
    host.kernel.plugDevice('transport', new TransportDevice(clusterNode));
    serveIntents(clusterNode); // other nodes' semantic-ipcd route requests to this node's agents
  }
  // initd is the first agent: it starts the services from their units, in dependency order.
  let initd: number | null = null;
  if (config.services) {
    const images = Object.fromEntries(SERVICE_IMAGES.filter((n) => n !== 'initd' && (!CLUSTER_ONLY_IMAGES.includes(n) || clusterNode !== null)).map((n) => [n, { path: serviceImage(n) }]));
    initd = await host.spawn({ path: serviceImage('initd') }, {
      name: 'initd', domain: 'native', capabilities: ['spawn', 'supervise', 'admin', 'service'], devices: ['storage', 'embedder', NODEKEY_DEVICE, ...(clusterNode !== null ? ['transport'] : [])],
      config: { images, unitFiles: unitFiles(dataDir) },
    });
  }
  // Services initd started are granted (SEND) to the agents the host spawns.
  const registry = initd !== null ? await registerServices(host, initd) : null;
  if (clusterNode !== null) await clusterNode.publishAgents();
  // Durable agents of the journal come back (after a clean stop or a crash), with their unread messages.
  const recovered = config.services ? await host.recover() : [];
  // node.json is how clients find the node: written once it is ready (services registered, durable agents back).
  if (apiInfo !== null) writeNodeFile(dataDir, { pid: process.pid, port: apiInfo.port, host: '127.0.0.1', startedAt: Date.now() });
  let down = false;
  return {
    dataDir,
    host,
    api: apiInfo,
    initd,
    warnings,
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
      await clusterNode?.close().catch(() => undefined);
      await mcp.close();
      host.shutdown();
      await storage?.close().catch(() => {});
      await security.close();
      journal.close();
      await api?.close();
      if (api) removeNodeFile(dataDir);
      await pqc.close();
      await otel?.shutdown().catch(() => {});
    },
  };
}

/** The wasm domain (the default for user agents): QuickJS sandboxes on the node's clock and randomness. */
async function defaultDomains(ports: ReturnType<typeof hostPorts>): Promise<ExecutionDomain[]> {
  return [createWasmDomain({ random: ports.random, now: () => ports.clock.monotonic(), wallClock: () => ports.clock.now() })];
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

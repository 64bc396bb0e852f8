// Helpers for the security tests: a node booted with the security wiring (as boot() will do once
// the lead pastes the lines), a command runner mirroring main.ts, and temp folders.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODE_BY_CATEGORY, isAiosError, type AiosError } from '@aios/abi';
import { boot, type AiosNode } from 'aios';
import { installSecurity, securityOf, type NodeSecurity, type SecurityOptions } from '../../apps/node/src/security/index.ts';
import { SECURITY_COMMANDS } from '../../apps/cli/src/cli/security-commands.ts';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'aios-sec-'));
}

export interface SecureNode {
  node: AiosNode;
  sec: NodeSecurity;
  /** Closes security first (final checkpoint + flush), then the node. */
  stop(): Promise<void>;
}

export async function bootSecure(dataDir: string, opts: Omit<SecurityOptions, 'dataDir' | 'ports'> = {}): Promise<SecureNode> {
  let sec: NodeSecurity | undefined;
  const node = await boot({
    dataDir,
    config: { services: false, policy: (req) => (sec ? sec.authorize(req) : { allow: false, policyIds: ['security-not-ready'] }) },
  });
  // Once boot() wires security itself, replace that instance by one with this test's options
  // (it resumes the same folder after the first one's final checkpoint).
  await securityOf(node.host)?.close();
  sec = await installSecurity({ host: node.host, dataDir: node.dataDir, ports: node.host.kernel.ports }, { fsync: 'never', ...opts });
  const s = sec;
  return {
    node,
    sec: s,
    async stop() {
      await s.close();
      await node.shutdown();
    },
  };
}

export const agentSource = (body: string, name = 'agent') =>
  `import { defineAgent, spawn } from '@aios/runtime';\nexport default defineAgent({ name: '${name}', async main(ctx) { ${body} } });`;

export interface RunResult {
  code: number;
  out: string[];
  err: string[];
}

/** Runs one security command the way main.ts does (flags, exit codes by error category). */
export async function runSec(argv: string[]): Promise<RunResult> {
  const [name, ...rest] = argv;
  const cmd = SECURITY_COMMANDS[name!]!;
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const parsed = parseArgs({
    args: rest,
    options: Object.fromEntries(Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
    allowPositionals: true,
    strict: true,
  });
  try {
    const code = await cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, io);
    return { code, out, err };
  } catch (e) {
    if (!isAiosError(e)) throw e;
    const a = e as AiosError;
    err.push(`aios: ${a.code}: ${a.message}`);
    return { code: EXIT_CODE_BY_CATEGORY[a.category], out, err };
  }
}

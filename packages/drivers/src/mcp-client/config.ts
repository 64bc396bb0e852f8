// Which MCP servers a node plugs as tool devices: <dataDir>/mcp.json and/or $AIOS_MCP_SERVERS (same JSON;
// the variable's entries win by name). Shape: { "servers": { "NAME": { "command", "args"?, "env"?, "cwd"? }
// | { "url", "headers"? } } }. Trusts nothing: a bad file or entry is EINVAL naming it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AiosError } from '@aios/abi';

export const MCP_CONFIG_FILE = 'mcp.json';
export const MCP_ENV_VAR = 'AIOS_MCP_SERVERS';

export type McpServerConfig =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { url: string; headers?: Record<string, string> };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const stringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/** Checks one parsed config document; `where` names it in errors. */
export function parseMcpConfig(doc: unknown, where: string): Record<string, McpServerConfig> {
  const bad = (why: string, detail: Record<string, unknown> = {}): never => {
    throw new AiosError('EINVAL', `${where}: ${why}`, { source: where, ...detail });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) bad('must be a JSON object { "servers": { ... } }');
  const servers = (doc as { servers?: unknown }).servers ?? {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) bad('"servers" must be an object');
  const out: Record<string, McpServerConfig> = {};
  for (const [name, raw] of Object.entries(servers as Record<string, unknown>)) {
    if (!NAME.test(name)) bad(`server name "${name}" must be 1-64 letters, digits, _ . -`, { server: name });
    const s = raw as Record<string, unknown>;
    if (typeof s !== 'object' || s === null) bad(`server "${name}" must be an object`, { server: name });
    if (typeof s.command === 'string' && s.command.length > 0) {
      if (s.args !== undefined && !strings(s.args)) bad(`server "${name}": args must be a list of strings`, { server: name });
      if (s.env !== undefined && !stringMap(s.env)) bad(`server "${name}": env must map names to strings`, { server: name });
      if (s.cwd !== undefined && typeof s.cwd !== 'string') bad(`server "${name}": cwd must be a string`, { server: name });
      out[name] = { command: s.command, args: s.args as string[] | undefined, env: s.env as Record<string, string> | undefined, cwd: s.cwd as string | undefined };
    } else if (typeof s.url === 'string') {
      let u: URL | undefined;
      try {
        u = new URL(s.url);
      } catch {
        /* checked below */
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) bad(`server "${name}": url must be http(s)`, { server: name });
      if (s.headers !== undefined && !stringMap(s.headers)) bad(`server "${name}": headers must map names to strings`, { server: name });
      out[name] = { url: s.url, headers: s.headers as Record<string, string> | undefined };
    } else {
      bad(`server "${name}" needs "command" (stdio) or "url" (Streamable HTTP)`, { server: name });
    }
  }
  return out;
}

/** The node's MCP servers: the data folder's mcp.json, then $AIOS_MCP_SERVERS on top. */
export function readMcpConfig(dataDir: string, env: Record<string, string | undefined> = process.env): Record<string, McpServerConfig> {
  const file = join(dataDir, MCP_CONFIG_FILE);
  let servers: Record<string, McpServerConfig> = {};
  if (existsSync(file)) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new AiosError('EINVAL', `${file} is not valid JSON: ${(e as Error).message}`, { source: file });
    }
    servers = parseMcpConfig(doc, file);
  }
  const v = env[MCP_ENV_VAR];
  if (v !== undefined && v.trim() !== '') {
    let doc: unknown;
    try {
      doc = JSON.parse(v);
    } catch (e) {
      throw new AiosError('EINVAL', `$${MCP_ENV_VAR} is not valid JSON: ${(e as Error).message}`, { source: MCP_ENV_VAR });
    }
    servers = { ...servers, ...parseMcpConfig(doc, `$${MCP_ENV_VAR}`) };
  }
  return servers;
}

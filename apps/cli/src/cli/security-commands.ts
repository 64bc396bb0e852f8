// The security commands: `aios audit`, `aios attest`, `aios policy`, `aios identity`. Audit commands
// work offline on the data folder; the others ask the running node through its API when there is one
// and otherwise act on the folder. A failed verification exits with the io category's code (9).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { AiosError, EXIT_CODE_BY_CATEGORY, isAiosError } from '@aios/abi';
import {
  decodePublicKey, fromBase64Url, fromHex, verifyQuote, type AuditEntry, type HybridPublicKey, type Quote,
} from '@aios/trust';
import type { Command, Io } from './commands.ts';
import { connect, type NodeClient } from './client.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import {
  buildProof, grepRecords, parseNonce, readKeyHistory, resolveDataDir, rotateOffline, tailRecords, trustedKeys, verifyAuditFolder,
  verifyKeyHistory, verifyProofBundle, writeFileAtomic, type ProofBundle,
} from 'aios/offline';
import { escapeTerminal } from './term.ts';

const VERIFY_FAILED = EXIT_CODE_BY_CATEGORY.io;

const COMMON = { ...COMMON_OPTS, ...JSON_OPT };
const KEY_OPT = { key: { type: 'string' as const, help: 'pin the trusted node key id (the first key of the history, or the signer)' } };

type Values = Record<string, string | boolean | undefined>;

const dirOf = (v: Values) => resolveDataDir(v['data-dir'] as string | undefined);
const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** The running node's client, or null when no node answers for this folder. */
async function runningNode(dataDir: string): Promise<NodeClient | null> {
  let c: NodeClient;
  try {
    c = connect(dataDir);
    await c.request('GET', '/v1/health');
  } catch (e) {
    if (isAiosError(e) && (e as AiosError).code === 'ESRCH') return null;
    throw e;
  }
  return c;
}

async function readJsonFile<T>(file: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(resolve(file), 'utf8');
  } catch {
    throw new AiosError('ENOENT', `cannot read ${file}`, { file });
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AiosError('EINVAL', `${file} is not JSON`, { file });
  }
}

export function formatRecord(r: AuditEntry): string {
  const detail = r.detail === undefined ? '' : `  ${JSON.stringify(r.detail)}`;
  return escapeTerminal(`${String(r.seq).padStart(7)}  ${new Date(r.time).toISOString()}  agent ${String(r.agent).padEnd(4)} ${r.syscall.padEnd(22)} ${(r.object ?? '-').padEnd(18)} ${r.result}${detail}`);
}

function printRecords(io: Io, rs: AuditEntry[], json: boolean): void {
  if (json) io.out(JSON.stringify(rs));
  else for (const r of rs) io.out(formatRecord(r));
}

function printJson(io: Io, v: unknown, compact: boolean): void {
  io.out(compact ? JSON.stringify(v) : JSON.stringify(v, null, 2));
}

async function auditCommand(v: Values, [sub, arg]: string[], io: Io): Promise<number> {
  const dir = dirOf(v);
  const json = v.json === true;
  const pin = str(v, 'key');
  switch (sub) {
    case 'verify': {
      const r = await verifyAuditFolder(dir, pin);
      if (json) io.out(JSON.stringify(r));
      if (r.ok) {
        if (!json) io.out(`audit log ok: ${r.records} records, ${r.checkpoints} checkpoints, ${r.keys} key(s); ${r.signedPrefix} records under a signed checkpoint; root ${r.rootHash ?? '-'}; anchor ok (seq ${r.anchor?.anchoredSeq ?? 0} anchored in kernel.db)`);
        return 0;
      }
      if (r.anchor && !r.anchor.ok && r.fault === undefined) {
        if (!json) io.err(`aios: audit log FAILS its anchor check (${r.anchor.status}): ${r.anchor.reason}`);
        return VERIFY_FAILED;
      }
      if (r.anchor && !r.anchor.ok && !json) io.err(`aios: audit log also FAILS its anchor check (${r.anchor.status}): ${r.anchor.reason}`);
      const where = r.firstBadSeq !== undefined ? `first bad record seq ${r.firstBadSeq} (position ${r.firstBadIndex})` : `checkpoint ${r.checkpointIndex}`;
      if (!json) io.err(`aios: audit log FAILS verification: ${where}: ${r.fault}: ${r.reason}`);
      return VERIFY_FAILED;
    }
    case 'proof': {
      if (arg === undefined || !/^\d+$/.test(arg)) throw new AiosError('EINVAL', 'usage: aios audit proof SEQ', { arg: 'SEQ' });
      printJson(io, await buildProof(dir, Number(arg), pin), json);
      return 0;
    }
    case 'verify-proof': {
      if (arg === undefined) throw new AiosError('EINVAL', 'usage: aios audit verify-proof FILE', { arg: 'FILE' });
      const bundle = await readJsonFile<ProofBundle>(arg);
      // Trusted signers: a pinned key, else the history of an explicitly named data folder, else the bundle's own key.
      const trusted = pin !== undefined ? [pin] : v['data-dir'] !== undefined ? (await trustedKeys(dir)).map((k) => k.keyId) : undefined;
      const r = verifyProofBundle(bundle, trusted);
      if (json) io.out(JSON.stringify({ ...r, seq: bundle?.proof?.seq, treeSize: bundle?.proof?.treeSize, keySource: trusted ? 'trusted' : 'bundle' }));
      else if (r.ok) io.out(`proof ok: record ${bundle.proof.seq} is in the log of ${bundle.proof.treeSize} records signed by key ${r.keyId}${trusted ? '' : ' (key taken from the file: pin it with --key)'}`);
      else io.err(`aios: proof FAILS: ${r.reason}`);
      return r.ok ? 0 : VERIFY_FAILED;
    }
    case 'tail': {
      const n = str(v, 'n') === undefined ? 20 : Number(v.n);
      if (!Number.isInteger(n) || n < 1) throw new AiosError('EINVAL', '-n must be a positive integer', { arg: 'n' });
      printRecords(io, await tailRecords(dir, n), json);
      return 0;
    }
    case 'grep': {
      if (arg === undefined) throw new AiosError('EINVAL', 'usage: aios audit grep PATTERN', { arg: 'PATTERN' });
      printRecords(io, await grepRecords(dir, arg, v['ignore-case'] ? 'i' : ''), json);
      return 0;
    }
    default:
      throw new AiosError('EINVAL', `unknown audit subcommand '${sub}' (verify, proof, verify-proof, tail, grep)`, { arg: 'SUBCOMMAND' });
  }
}

/** A person's view of a fresh quote: who signed it, for which nonce, and what each register measured. */
export function quoteSummary(q: Quote): string {
  const lines = [`quote signed by ${q.keyId}`, `  nonce ${q.nonce}`];
  q.registers.forEach((r, i) => lines.push(`  register ${i}: ${r.slice(0, 16)}…`));
  for (const e of q.eventLog) lines.push(`  event ${e.index}: ${e.measurement.slice(0, 16)}…  ${escapeTerminal(e.description)}`);
  lines.push('save it with `aios attest --json > quote.json`; check it with `aios attest verify quote.json --nonce HEX`');
  return lines.join('\n');
}

async function attestCommand(v: Values, [sub, file]: string[], io: Io): Promise<number> {
  const json = v.json === true;
  const nonceHex = str(v, 'nonce');
  if (sub === undefined) {
    const c = await runningNode(dirOf(v));
    if (!c) throw new AiosError('ESRCH', `no running node for ${dirOf(v)}: a quote measures the running node (start one with \`aios boot\`)`);
    if (nonceHex !== undefined) parseNonce(nonceHex);
    const q = await c.request<{ quote: Quote; publicKey?: string }>('GET', `/v1/attest${nonceHex !== undefined ? `?nonce=${nonceHex}` : ''}`);
    if (json) printJson(io, q, true);
    else io.out(quoteSummary(q.quote));
    return 0;
  }
  if (sub !== 'verify' || file === undefined) throw new AiosError('EINVAL', 'usage: aios attest [--nonce HEX] | aios attest verify FILE [--nonce HEX]');
  const doc = await readJsonFile<{ quote?: Quote; publicKey?: string } & Partial<Quote>>(file);
  const q = (doc.quote ?? doc) as Quote;
  let pub: HybridPublicKey;
  let keySource: string;
  if (v['data-dir'] !== undefined) {
    const k = (await trustedKeys(dirOf(v), str(v, 'key'))).find((x) => x.keyId === q?.keyId);
    if (!k) throw new AiosError('EACCES', `the quote's key ${String(q?.keyId)} is not in the key history of ${dirOf(v)}`);
    pub = k.publicKey;
    keySource = 'data folder';
  } else {
    if (typeof doc.publicKey !== 'string') throw new AiosError('EINVAL', 'the file carries no publicKey: pass --data-dir of the node');
    pub = decodePublicKey(fromBase64Url(doc.publicKey));
    keySource = 'file';
    if (str(v, 'key') !== undefined && q?.keyId !== v.key) throw new AiosError('EACCES', `the quote is signed by ${String(q?.keyId)}, not the pinned key ${String(v.key)}`);
  }
  const nonce = nonceHex !== undefined ? parseNonce(nonceHex) : fromHex(typeof q?.nonce === 'string' ? q.nonce : '');
  const r = verifyQuote(q, pub, nonce);
  const nonceChecked = nonceHex !== undefined;
  if (json) io.out(JSON.stringify({ ...r, nonceChecked, keySource }));
  else if (r.ok) {
    io.out(`quote ok: signed by ${q.keyId} (key from the ${keySource})${nonceChecked ? ', nonce matches' : ' (nonce NOT checked: pass --nonce HEX)'}`);
    for (const e of q.eventLog) io.out(`  register ${e.index}: ${e.measurement.slice(0, 16)}…  ${escapeTerminal(e.description)}`);
  } else io.err(`aios: quote FAILS verification: ${r.reason}`);
  return r.ok ? 0 : VERIFY_FAILED;
}

/** The node's policy file name, default set and validator: the Cedar engine is the node's, loaded only here. */
async function nodePolicy(): Promise<Pick<typeof import('aios'), 'NODE_POLICIES' | 'POLICY_FILE' | 'validatePolicyText'>> {
  return import('aios');
}

async function policyCommand(v: Values, [sub, file]: string[], io: Io): Promise<number> {
  const dir = dirOf(v);
  const json = v.json === true;
  if (sub === 'apply') {
    if (file === undefined) throw new AiosError('EINVAL', 'usage: aios policy apply FILE', { arg: 'FILE' });
    let text: string;
    try {
      text = await fs.readFile(resolve(file), 'utf8');
    } catch {
      throw new AiosError('ENOENT', `cannot read ${file}`, { file });
    }
    const c = await runningNode(dir);
    if (c) {
      const r = await c.request<{ version: number; policies: number; sha256: string }>('PUT', '/v1/policy', { text });
      io.out(json ? JSON.stringify({ ...r, applied: 'running node' }) : `policy set v${r.version} applied to the running node (${r.policies} policies, sha256 ${r.sha256.slice(0, 16)}…)`);
      return 0;
    }
    const { POLICY_FILE, validatePolicyText } = await nodePolicy();
    const check = validatePolicyText(text);
    if (!check.ok) throw new AiosError('EINVAL', `policy set refused (${check.errors.length} error(s)): ${check.errors.join('; ')}`, { errors: check.errors });
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, POLICY_FILE), text);
    io.out(json ? JSON.stringify({ policies: check.policies, applied: 'file' }) : `no running node: ${check.policies} policies written to ${join(dir, POLICY_FILE)}; they take effect at the next boot`);
    return 0;
  }
  if (sub === 'show') {
    const c = await runningNode(dir);
    if (c) {
      const r = await c.request<{ text: string; version: number }>('GET', '/v1/policy');
      io.out(json ? JSON.stringify(r) : r.text);
      return 0;
    }
    const { NODE_POLICIES, POLICY_FILE } = await nodePolicy();
    const text = await fs.readFile(join(dir, POLICY_FILE), 'utf8').catch(() => null);
    io.out(json ? JSON.stringify({ file: join(dir, POLICY_FILE), text: text ?? NODE_POLICIES, default: text === null }) : (text ?? NODE_POLICIES));
    return 0;
  }
  throw new AiosError('EINVAL', `unknown policy subcommand '${sub}' (apply, show)`, { arg: 'SUBCOMMAND' });
}

async function identityCommand(v: Values, [sub, id]: string[], io: Io): Promise<number> {
  const dir = dirOf(v);
  const json = v.json === true;
  const c = await runningNode(dir);
  if (sub === undefined || sub === 'show') {
    let info: Record<string, unknown>;
    if (c) info = await c.request('GET', '/v1/identity');
    else {
      const h = await readKeyHistory(dir);
      if (!h) throw new AiosError('ENOENT', `no node identity in ${dir} (boot a node there first)`);
      const chk = verifyKeyHistory(h);
      info = { keyId: h.keys[h.keys.length - 1]!.keyId, keys: h.keys, historyOk: chk.ok, ...(chk.ok ? {} : { reason: chk.reason }) };
    }
    if (json) io.out(JSON.stringify(info));
    else {
      io.out(`node key ${String(info.keyId)} (hybrid Ed25519 + ML-DSA-65)${info.encrypted === true ? ', encrypted at rest' : ''}`);
      for (const k of (info.keys as Array<{ keyId: string; since: number; atSeq: number }>) ?? []) io.out(`  ${k.keyId}  since ${new Date(k.since).toISOString()}  from audit seq ${k.atSeq + 1}`);
    }
    return 0;
  }
  if (sub === 'rotate') {
    const r = c
      ? await c.request<{ oldKeyId: string; newKeyId: string; atSeq: number }>('POST', '/v1/identity/rotate')
      : await rotateOffline(dir, { passphrase: process.env.AIOS_PASSPHRASE || undefined, random: (n) => new Uint8Array(randomBytes(n)), now: () => Date.now() });
    io.out(json ? JSON.stringify(r) : `node key rotated: ${r.oldKeyId.slice(0, 16)}… -> ${r.newKeyId.slice(0, 16)}… (old key endorsed the new one; new checkpoints from audit seq ${r.atSeq + 1})`);
    return 0;
  }
  if (sub === 'agent') {
    if (id === undefined) throw new AiosError('EINVAL', 'usage: aios identity agent ID', { arg: 'ID' });
    if (!c) throw new AiosError('ESRCH', `no running node for ${dir}`);
    const r = await c.request<{ id: string; agent: number; name: string }>('GET', `/v1/agents/${encodeURIComponent(id)}/identity`);
    io.out(json ? JSON.stringify(r) : `agent ${r.name}#${r.agent}: identity ${r.id} (certified by the node)`);
    return 0;
  }
  throw new AiosError('EINVAL', `unknown identity subcommand '${sub}' (show, rotate, agent)`, { arg: 'SUBCOMMAND' });
}

export const SECURITY_COMMANDS: Record<string, Command> = {
  audit: {
    summary: 'the persistent audit log: verify, inclusion proofs, tail, grep (offline, on the data folder)',
    usage: 'aios audit verify | proof SEQ | verify-proof FILE | tail [-n N] | grep PATTERN [-i]   [--key KEYID] [--json]',
    options: {
      ...COMMON, ...KEY_OPT,
      n: { type: 'string', short: 'n', help: 'tail: how many records (default 20)' },
      'ignore-case': { type: 'boolean', short: 'i', help: 'grep: case-insensitive' },
    },
    positionals: 1,
    run: auditCommand,
  },
  attest: {
    summary: 'a quote over the running node\'s measurements (code, config, policies, services, key), or verify one offline',
    usage: 'aios attest [--nonce HEX] [--json] | aios attest verify FILE [--nonce HEX] [--key KEYID] [--data-dir DIR]',
    options: { ...COMMON, ...KEY_OPT, nonce: { type: 'string', help: 'verifier nonce, 16-64 bytes in hex (default: random)' } },
    positionals: 0,
    run: attestCommand,
  },
  policy: {
    summary: 'the Cedar policy set: show it, or apply a new one (validated whole; atomic)',
    usage: 'aios policy show | aios policy apply FILE   [--json]',
    options: { ...COMMON },
    positionals: 1,
    run: policyCommand,
  },
  identity: {
    summary: 'the node identity: show keys, rotate the node key, an agent\'s certified identity',
    usage: 'aios identity [show] | rotate | agent ID   [--json]',
    options: { ...COMMON },
    positionals: 0,
    run: identityCommand,
  },
};

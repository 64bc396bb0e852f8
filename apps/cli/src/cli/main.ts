// `aios` entry: dispatches to a command, prints help, and maps errors to the
// taxonomy's exit codes (EXIT_CODE_BY_CATEGORY): the code says which class failed.

import { parseArgs } from 'node:util';
import { EXIT_CODE_BY_CATEGORY, isAiosError, type AiosError } from '@aios/abi';
import { COMMANDS as CORE_COMMANDS, type Io } from './commands.ts';
import { suggest } from './suggest.ts';
import { SVC_COMMANDS } from './svc-commands.ts';
import { CLUSTER_COMMANDS } from './cluster-commands.ts';
import { SECURITY_COMMANDS } from './security-commands.ts';
import { MEM_COMMANDS } from './mem-commands.ts';
import { ASK_COMMANDS } from './ask-commands.ts';
import { terminalSafe } from './term.ts';
import { MCP_COMMANDS } from './mcp-command.ts';
import { SIGN_COMMANDS } from './sign-commands.ts';
import { IO_COMMANDS } from './io-commands.ts';
import { PLAN_COMMANDS } from './plan-commands.ts';

const COMMANDS = { ...CORE_COMMANDS, ...SVC_COMMANDS, ...CLUSTER_COMMANDS, ...SECURITY_COMMANDS, ...MEM_COMMANDS, ...ASK_COMMANDS, ...MCP_COMMANDS, ...SIGN_COMMANDS, ...IO_COMMANDS, ...PLAN_COMMANDS };

const VERSION = '0.1.0';

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'aios: an operating system for AI agents',
    '',
    'usage: aios COMMAND [options]    (aios COMMAND --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --data-dir DIR (or $AIOS_DATA_DIR) to choose its node.',
    'Exit codes: 0 ok, 1 unexpected, 2 usage, 3 access (EPERM, EACCES), 4 argument (EINVAL, EBADF, EFAULT, EMSGSIZE),',
    '5 resource (EAGAIN, ENOMEM, EQUOTA, EBUSY), 6 lookup (ESRCH, ENOENT, ENOSYS, ENOROUTE), 7 time, 8 state, 9 io.',
  ].join('\n');
}

function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const opts = Object.entries(c.options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}${o.short ? `, -${o.short}` : ''}\n      ${o.help}`);
  return [`${c.usage}`, '', c.summary, '', 'options:', ...opts, ...(c.notes ? ['', ...c.notes] : [])].join('\n');
}

export async function main(argv: string[], io: Io = { out: (l) => console.log(terminalSafe(l)), err: (l) => console.error(terminalSafe(l)) }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(help());
    return 0;
  }
  if (name === '--version' || name === 'version') {
    io.out(VERSION);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (cmd === undefined) {
    const near = suggest(name, Object.keys(COMMANDS));
    io.err(near.length > 0 ? `aios: unknown command '${name}'. Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?\n(aios help lists every command)` : `aios: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options: Object.fromEntries(Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }])), allowPositionals: true, strict: true });
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (e) {
    io.err(`aios ${name}: ${(e as Error).message}\n\n${commandHelp(name)}`);
    return 2;
  }
  if (values.help) {
    io.out(commandHelp(name));
    return 0;
  }
  if (positionals.length < cmd.positionals) {
    io.err(`aios ${name}: missing arguments\n\nusage: ${cmd.usage}`);
    return 2;
  }
  try {
    return await cmd.run(values, positionals, io);
  } catch (e) {
    if (isAiosError(e)) {
      const err = e as AiosError;
      if (values.json) io.err(JSON.stringify({ error: { code: err.code, errno: err.errno, message: err.message, detail: err.detail } }));
      else io.err(`aios: ${err.code}: ${err.message}`);
      return EXIT_CODE_BY_CATEGORY[err.category] ?? 1;
    }
    io.err(`aios: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
}

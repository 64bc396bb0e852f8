// Renders the files generated from the abi: runtime syscall stubs, docs/syscalls.md
// and docs/errors.md. Pure functions, so a test can compare them to what is committed.

import { SYSCALLS, ERROR_CODES, EXIT_CODE_BY_CATEGORY, HTTP_STATUS_BY_CODE, DEFAULT_RIGHTS, PRIVILEGES, Rights, SELF_BASE_RIGHTS, rightsToNames, type SyscallRow } from '@aios/abi';

export const GENERATED = {
  stubs: 'packages/runtime/src/kernel/stubs.gen.ts',
  syscallsDoc: 'docs/syscalls.md',
  errorsDoc: 'docs/errors.md',
  rightsDoc: 'docs/rights.md',
} as const;

const RIGHT_MEANING: Record<string, string> = {
  READ: 'read the contents (memory, frames, streams, service objects)', WRITE: 'write the contents', EXEC: 'execute (memory permissions)',
  SEND: 'send messages to an agent', KILL: 'kill an agent', SUPERVISE: "receive an agent's exit and trap notices",
  INSPECT: 'read status (AgentInfo, ObjInfo, checkpoints)', DERIVE: 'derive a narrower handle (CapDerive)', TRANSFER: 'send the handle in a message, grant it at spawn, export it as a token',
  SPAWN: 'self handle: spawn agents', FRAME: 'self handle: allocate physical frames', MAP: 'map into an address space (PageMap, MemMap)',
  SUSPEND: 'suspend, resume, checkpoint, clone, split, upgrade an agent', ADMIN: 'self handle: node administration (AgentList, AgentOpen, ManifestList, PolicyApply)',
  USE: 'use a device (DeviceCall, Llm*)', SEARCH: 'search a service object (a memory namespace)',
  REALTIME: "self handle: hold a 'deadline' CPU reservation (SchedSet, spawn hints), within the node's admission limit",
  DETACH: 'self handle: spawn detached children, which outlive their spawner (opts.detached)',
  SERVICE: 'self handle: a node service; the behaviour monitor never throttles or quarantines it (operator notice and audit record instead)',
  CREATE: 'directory: create files and folders (FsWrite of a new file, FsMkdir)', DELETE: 'directory: remove files and folders (FsRemove)',
};
const OBJECT_MEANING: Record<string, string> = {
  agent: 'an agent (process)', memory: 'a memory region (AgentMemAlloc + MemShare)', frame: 'physical frames (FrameAlloc)',
  subscription: 'an event subscription (EventSubscribe)', device: 'a driver on the device bus (model, storage, embedder)',
  stream: 'a streamed model completion (LlmStreamOpen) or a net exchange (NetFetch)', object: 'a service object (ObjCreate), e.g. a memory namespace of memoryd',
  directory: 'a mounted host folder or a sub-folder of one (SpawnOptions.mounts, `fs:<name>` in the namespace)',
};

export function renderRightsDoc(): string {
  return [
    '# Rights and object types',
    '',
    'Generated from `packages/abi/src/rights.ts` by `npm run gen`; do not edit.',
    '',
    'Every handle carries a set of rights. Deriving, transferring, granting at spawn or exporting a handle as a token',
    'can only keep or clear rights, never add them; revoking a handle revokes everything derived from it.',
    '',
    '| right | bit | meaning |',
    '| --- | --- | --- |',
    ...Object.entries(Rights).filter(([n]) => n !== 'NONE').map(([n, bit]) => `| ${n} | ${Math.log2(bit as number)} | ${RIGHT_MEANING[n] ?? ''} |`),
    '',
    '| object type | what it is | rights of a fresh handle |',
    '| --- | --- | --- |',
    ...Object.entries(DEFAULT_RIGHTS).map(([t, r]) => `| ${t} | ${OBJECT_MEANING[t] ?? ''} | ${rightsToNames(r).join(', ')} |`),
    '',
    `An agent's self handle always has ${rightsToNames(SELF_BASE_RIGHTS).join(', ')}, plus the privileges its spawner granted`,
    `(spawn \`capabilities\`: ${Object.entries(PRIVILEGES).map(([n, b]) => `\`${n}\` = ${rightsToNames(b).join('')}`).join(', ')}), never more than the spawner holds.`,
    '',
  ].join('\n');
}

const TYPE_NAMES = [
  'AgentImage', 'SpawnOptions', 'Ticket', 'Handle', 'AgentManifest', 'SendOptions', 'Message', 'VAddr', 'PqcOp',
  'CapInfo', 'CapDeriveOptions', 'AgentInfo', 'AgentId', 'SelfInfo', 'SchedParams', 'LlmRequest', 'LlmResult', 'LlmChunk', 'LlmAgentUsage',
  'FsWriteResult', 'FsEntry', 'FsStat', 'NetRequest', 'NetResponseHead', 'DeviceInfo',
];

function paramList(row: SyscallRow): string {
  return row.params.map((p) => (p.rest ? `...${p.name}: ${p.type}` : `${p.name}${p.optional ? '?' : ''}: ${p.type}`)).join(', ');
}

function argArray(row: SyscallRow): string {
  if (row.params.length === 0) return 'NO_ARGS';
  if (row.params.length === 1 && row.params[0]!.rest) return row.params[0]!.name;
  return `[${row.params.map((p) => p.name).join(', ')}]`;
}

function stub(row: SyscallRow): string {
  const doc = [
    `/**`,
    ` * ${row.name} (nr ${row.nr}, ${row.kind}). ${row.summary}`,
    row.rights.length ? ` * Needs: ${row.rights.join('; ')}.` : undefined,
    row.errors.length ? ` * Errors: ${row.errors.join(', ')}.` : undefined,
    ` */`,
  ].filter((l) => l !== undefined).join('\n');
  if (row.kind === 'blocking') {
    return `${doc}\nexport function ${row.stub}(${paramList(row)}): Promise<${row.returns}> {\n  return trapAsync(${row.nr}, ${argArray(row)}) as Promise<${row.returns}>;\n}\n`;
  }
  const ret = row.returns === 'void' || row.returns === 'never' ? '' : `return `;
  const cast = row.returns === 'void' || row.returns === 'never' ? '' : ` as ${row.returns}`;
  const tail = row.returns === 'never' ? `\n  throw new Error('exit returned');` : '';
  const ps = row.params;
  if (ps.length >= 2 && ps.length <= 3 && ps[0]!.type === 'Handle' && !ps[0]!.optional && ps[1]!.type === 'Uint8Array' && !ps[1]!.optional && (ps.length === 2 || ps[2]!.optional)) {
    // per-signature entry (handle, bytes): no argument list when the optional third is absent
    const fast = `trapHB(${row.nr}, ${ps[0]!.name}, ${ps[1]!.name})`;
    const body = ps.length === 2
      ? `${ret}${fast}${cast};`
      : `if (${ps[2]!.name} === undefined) ${ret}${fast}${cast};\n  ${ret === '' ? 'else ' : ''}${ret}trap(${row.nr}, ${argArray(row)})${cast};`;
    return `${doc}\nexport function ${row.stub}(${paramList(row)}): ${row.returns} {\n  ${body}${tail}\n}\n`;
  }
  return `${doc}\nexport function ${row.stub}(${paramList(row)}): ${row.returns} {\n  ${ret}trap(${row.nr}, ${argArray(row)})${cast};${tail}\n}\n`;
}

export function renderStubs(): string {
  const used = TYPE_NAMES.filter((t) => SYSCALLS.some((r) => r.returns.includes(t) || r.params.some((p) => p.type.includes(t))));
  return [
    `// GENERATED by scripts/gen.ts from packages/abi/src/syscalls.ts. Do not edit: run \`npm run gen\`.`,
    `// One stub per syscall; each traps into the kernel through the agent's gate.`,
    ``,
    `import type { ${used.join(', ')} } from '@aios/abi';`,
    `import { trap, trapAsync, trapHB } from './trap.ts';`,
    ``,
    `/** Shared by calls without arguments (frozen; the kernel never writes to argument lists). */`,
    `const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];`,
    ``,
    ...SYSCALLS.map(stub),
  ].join('\n');
}

export function renderSyscallsDoc(): string {
  const lines = [
    '# Syscalls',
    '',
    'Generated from `packages/abi/src/syscalls.ts` by `npm run gen`; do not edit.',
    '',
    'Kinds: **sync** returns a value; **async** returns a ticket at once (poll with `getAsyncResult`, or block with `asyncWait`);',
    '**blocking** returns a promise that the kernel settles when it schedules the caller again.',
    '',
    '| nr | syscall | stub | kind | rights needed | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    ...SYSCALLS.map((r) => `| ${r.nr} | ${r.name} | \`${r.stub}(${paramList(r)}): ${r.returns}\` | ${r.kind} | ${r.rights.join('; ') || '-'} | ${r.errors.join(', ') || '-'} |`),
    '',
    ...SYSCALLS.flatMap((r) => [`## ${r.name}`, '', r.summary, '']),
  ];
  return lines.join('\n');
}

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, info]) =>
    `| ${code} | ${info.errno} | ${info.category} | ${EXIT_CODE_BY_CATEGORY[info.category]} | ${HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE]} | ${info.summary} |`);
  return [
    '# Errors',
    '',
    'Generated from `packages/abi/src/errors.ts` by `npm run gen`; do not edit.',
    '',
    'Every failing syscall throws `AiosError` with `code`, `errno`, `message` and structured `detail`.',
    'The CLI exits with the code of the error\'s category; the HTTP API answers with the status below.',
    '',
    '| code | errno | category | CLI exit | HTTP | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export function renderAll(): Record<string, string> {
  return {
    [GENERATED.stubs]: renderStubs(),
    [GENERATED.syscallsDoc]: renderSyscallsDoc(),
    [GENERATED.errorsDoc]: renderErrorsDoc(),
    [GENERATED.rightsDoc]: renderRightsDoc(),
  };
}

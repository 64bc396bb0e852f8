// Options every command that talks to a node shares (merged into each command's own options).

export const COMMON_OPTS = {
  'data-dir': { type: 'string' as const, help: 'data folder of the node (default $AIOS_DATA_DIR or ~/.aios)' },
  help: { type: 'boolean' as const, short: 'h', help: 'show this help' },
};

export const JSON_OPT = { json: { type: 'boolean' as const, help: 'print JSON' } };

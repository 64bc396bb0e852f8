#!/usr/bin/env node
// The `aios` command's launcher. It is committed (dist/ is not), so npm links the bin at install time,
// before any build; it runs the built command, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('aios: the command is not built yet: run `npm run build` first (in the repository root)');
  process.exitCode = 1;
} else {
  await import(cli.href);
}

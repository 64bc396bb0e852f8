// `npm run gen`: writes the files generated from the abi. `--check` exits 1 when any is stale.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './gen-lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, text] of Object.entries(renderAll())) {
  const file = join(root, rel);
  let current = '';
  try { current = readFileSync(file, 'utf8'); } catch { /* missing */ }
  if (current === text) continue;
  if (check) { console.error(`stale: ${rel}`); stale++; continue; }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${rel}`);
}
process.exit(stale ? 1 : 0);

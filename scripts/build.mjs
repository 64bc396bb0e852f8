// `npm run build`: bundles the CLI, the programmatic API and the PQC worker
// into apps/cli/dist with esbuild. Workspace packages are bundled from their
// TypeScript sources; third-party packages stay external (native addons, wasm).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].flatMap((d) => [d, `${d}/*`]);
const started = Date.now();
await build({
  entryPoints: {
    cli: join(root, 'apps/cli/src/cli.ts'),
    index: join(root, 'apps/cli/src/index.ts'),
    'pqc-worker': join(root, 'apps/node/src/node/pqc-worker.ts'),
  },
  outdir: join(root, 'apps/cli/dist'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['aios-source'],
  external,
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __aiosCreateRequire } from 'node:module'; const require = __aiosCreateRequire(import.meta.url);" },
});
console.log(`build: apps/cli/dist in ${Date.now() - started} ms`);

// `npm run build`: bundles, with esbuild, the node (apps/node/dist: index.js = `aios`, offline.js =
// `aios/offline`, pqc-worker.js and exec-worker.js beside them) and the command (apps/cli/dist/cli.js). Workspace packages
// are bundled from their TypeScript sources; third-party packages stay external (native addons, wasm).
// The command keeps the node external: it imports `aios/offline` and, to boot, `aios` at run time, so
// `aios ps` never loads the kernel.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../apps/dashboard/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].flatMap((d) => [d, `${d}/*`]);
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['aios-source'],
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __aiosCreateRequire } from 'node:module'; const require = __aiosCreateRequire(import.meta.url);" },
};
const started = Date.now();
await Promise.all([
  build({
    ...common,
    entryPoints: {
      index: join(root, 'apps/node/src/index.ts'),
      offline: join(root, 'apps/node/src/offline.ts'),
      'pqc-worker': join(root, 'apps/node/src/node/pqc-worker.ts'),
      // the executors' worker threads (packages/kernel/src/exec/executor.ts finds it beside index.js)
      'exec-worker': join(root, 'packages/kernel/src/exec/worker.ts'),
      'build-manifest': join(root, 'apps/node/src/security/build-manifest.ts'),
    },
    outdir: join(root, 'apps/node/dist'),
    external,
  }),
  build({
    ...common,
    entryPoints: { cli: join(root, 'apps/cli/src/cli.ts') },
    outdir: join(root, 'apps/cli/dist'),
    external: [...external, 'aios', 'aios/*'],
  }),
]);
// The web dashboard (browser bundle, served by the node at /) goes to apps/node/dist/dashboard.
await buildDashboard(join(root, 'apps/node/dist/dashboard'));
// Secure boot: sign the manifest of what the node runs (apps/node/src/security/build-manifest.ts); last, so it
// covers everything the build wrote.
const { writeBuildManifest } = await import(join(root, 'apps/node/dist/build-manifest.js'));
const signed = writeBuildManifest(join(root, 'apps/node/dist'));
console.log(`build: apps/node/dist and apps/cli/dist in ${Date.now() - started} ms; manifest of ${signed.files} files signed by build key ${signed.keyId.slice(0, 16)}`);

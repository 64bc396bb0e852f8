// `npm run build`: bundles the CLI, the programmatic API and the PQC worker
// into apps/cli/dist with esbuild. Workspace packages are bundled from their
// TypeScript sources; third-party packages stay external (native addons, wasm).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../apps/dashboard/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].flatMap((d) => [d, `${d}/*`]);
const started = Date.now();
await build({
  entryPoints: {
    cli: join(root, 'apps/cli/src/cli.ts'),
    index: join(root, 'apps/cli/src/index.ts'),
    'pqc-worker': join(root, 'apps/cli/src/node/pqc-worker.ts'),
    'build-manifest': join(root, 'apps/cli/src/security/build-manifest.ts'),
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
// The web dashboard (browser bundle, served by the node at /) goes to apps/cli/dist/dashboard.
await buildDashboard(join(root, 'apps/cli/dist/dashboard'));
// Secure boot: sign the manifest of what the node runs (apps/cli/src/security/build-manifest.ts); last, so it
// covers everything the build wrote.
const { writeBuildManifest } = await import(join(root, 'apps/cli/dist/build-manifest.js'));
const signed = writeBuildManifest(join(root, 'apps/cli/dist'));
console.log(`build: apps/cli/dist in ${Date.now() - started} ms; manifest of ${signed.files} files signed by build key ${signed.keyId.slice(0, 16)}`);

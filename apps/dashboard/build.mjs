// The dashboard's build step: bundles src/main.ts with preact and htm (from node_modules, so nothing
// is fetched at run time) into one ES module for the browser, and copies the page and its style sheet.
// Output: OUTDIR/index.html, OUTDIR/app.js (+ .map), OUTDIR/style.css, served by the node at / and /ui/*.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the dashboard into outdir (default apps/cli/dist/dashboard), replacing what was there. */
export async function buildDashboard(outdir = join(here, '..', 'cli', 'dist', 'dashboard')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(here, 'src/main.ts') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(here, 'src', f), join(outdir, f));
  return outdir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`dashboard: ${await buildDashboard(process.argv[2])}`);
}

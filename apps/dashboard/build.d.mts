// Types of build.mjs (for scripts and tests written in TypeScript).
/** Builds the dashboard into outdir (default apps/cli/dist/dashboard), replacing what was there; resolves with outdir. */
export function buildDashboard(outdir?: string): Promise<string>;

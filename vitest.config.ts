import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of the workspace packages (the
// "aios-source" export condition); the built CLI is used by end-to-end tests.
export default defineConfig({
  resolve: { conditions: ['aios-source'] },
  ssr: { resolve: { conditions: ['aios-source'], externalConditions: ['aios-source'] } },
  test: {
    include: ['packages/**/src/**/*.test.ts', 'apps/**/src/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});

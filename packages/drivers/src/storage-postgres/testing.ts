// Test helpers of the Postgres driver (imported by tests and the bench only): the test server's URL and
// throwaway schemas with a name unique to this run, dropped at the end so runs never collide.
import pg from 'pg';

/** The server tests use: AIOS_TEST_PG_URL, else the local one (trust auth, database "test"). */
export const TEST_PG_URL = process.env.AIOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Hands out fresh schema names "aios_t_<pid>_<random>_<n>" and drops every one of them on cleanup(). */
export function throwawaySchemas(url = TEST_PG_URL): { next(): string; cleanup(): Promise<void> } {
  const prefix = `aios_t_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const made: string[] = [];
  return {
    next() {
      const s = `${prefix}_${made.length}`;
      made.push(s);
      return s;
    },
    async cleanup() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        for (const s of made) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

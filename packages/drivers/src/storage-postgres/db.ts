// The connection layer of the Postgres storage device: one pg.Pool whose connections all use the driver's
// schema, int8 parsed as JS numbers, and two ways to run work: read() (retried on a dead connection) and
// write() (one transaction; retried only when the connection was found dead before BEGIN succeeded, so a
// write is never applied twice). Trusts pg; maps its failures to AiosError EIO.
import pg from 'pg';
import { AiosError } from '@aios/abi';

/** A Postgres identifier we create ourselves (schema names): lower-case, at most 55 bytes so "aiosvec_" + schema is a valid channel name. */
const IDENT = /^[a-z_][a-z0-9_]{0,54}$/;
/** How often a unit of work is tried when its connection turns out to be dead (server restart, terminate). */
const CONNECT_TRIES = 3;

export type Sql = pg.PoolClient;

export function checkSchemaName(schema: unknown): asserts schema is string {
  if (typeof schema !== 'string' || !IDENT.test(schema)) {
    throw new AiosError('EINVAL', 'schema must match [a-z_][a-z0-9_]{0,54}', { arg: 'schema', value: String(schema) });
  }
}

/** int8 (count(*), bigint columns, bigserial labels) as numbers: every value we store is below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** Errors that mean "this connection is gone" (not "this statement is wrong"). */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true;
  const msg = String((e as Error)?.message ?? '');
  return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error|not queryable/i.test(msg);
}

/** Rethrows an AiosError as is; wraps anything else as EIO (a connection failure, a server error). */
export function toAios(e: unknown, what: string): AiosError {
  if (e instanceof AiosError) return e;
  const pgCode = (e as { code?: unknown })?.code;
  if (pgCode === '22021' || pgCode === '22P05') return new AiosError('EINVAL', 'text cannot be stored (NUL or bad encoding)', { op: what }, { cause: e });
  return new AiosError('EIO', `postgres: ${what}: ${(e as Error)?.message ?? String(e)}`, { op: what, ...(typeof pgCode === 'string' ? { pgCode } : {}) }, { cause: e });
}

export interface PgConfig {
  url: string;
  schema: string;
  /** Most pooled connections (default 8). */
  max?: number;
  /** application_name of every connection (lets tests and operators find them in pg_stat_activity). */
  appName?: string;
}

/** pg client options for one connection of this driver (the pool's and the listener's). */
export function clientConfig(c: PgConfig): pg.ClientConfig {
  return {
    connectionString: c.url,
    application_name: c.appName ?? 'aios-storage',
    options: `-c search_path=${c.schema},public`,
    types,
  };
}

export class Db {
  readonly pool: pg.Pool;

  constructor(readonly config: PgConfig) {
    this.pool = new pg.Pool({ ...clientConfig(config), max: config.max ?? 8, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    // An idle connection the server drops emits 'error' on the pool; the pool already discards it.
    this.pool.on('error', () => {});
  }

  /** Runs read-only work on a pooled connection; a dead connection is discarded and the work tried again. */
  async read<T>(what: string, fn: (c: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: Sql | undefined;
      try {
        client = await this.pool.connect();
        const r = await fn(client);
        client.release();
        return r;
      } catch (e) {
        const dead = isConnectionError(e);
        client?.release(dead ? (e as Error) : undefined);
        if (dead && attempt < CONNECT_TRIES) continue;
        throw toAios(e, what);
      }
    }
  }

  /**
   * Runs fn in one transaction (READ COMMITTED) and resolves after COMMIT (durable: synchronous_commit).
   * A failure inside fn rolls back and rethrows; only a connection found dead at BEGIN is tried again.
   */
  async write<T>(what: string, fn: (c: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: Sql | undefined;
      try {
        client = await this.pool.connect();
        await client.query('BEGIN');
      } catch (e) {
        const dead = isConnectionError(e);
        client?.release(dead ? (e as Error) : undefined);
        if (dead && attempt < CONNECT_TRIES) continue;
        throw toAios(e, what);
      }
      try {
        const r = await fn(client);
        await client.query('COMMIT');
        client.release();
        return r;
      } catch (e) {
        const dead = isConnectionError(e);
        if (!dead) await client.query('ROLLBACK').catch(() => {});
        client.release(dead ? (e as Error) : undefined);
        throw toAios(e, what);
      }
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

// The vector change feed between nodes sharing one database: a write that changes vectors sends, inside
// its transaction, pg_notify(channel, payload) (delivered at COMMIT, to every listener, in commit order);
// each driver holds one dedicated LISTEN connection and applies other nodes' changes to its in-process
// indexes. A dropped listener reconnects with backoff; since notifications sent meanwhile are lost, the
// indexes are dropped (rebuilt from the database) and not cached until LISTEN is back.
import pg from 'pg';
import { clientConfig, type PgConfig, type Sql } from './db.ts';
import type { PgVectorIndexes, VecChange } from './vectors.ts';

/** Largest notification payload we send (Postgres refuses 8000 bytes or more). */
const MAX_PAYLOAD = 7_000;
const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 5_000;

/** A notification: origin driver, namespace, and either changed [label, seq] pairs, a reset, or a barrier. */
interface Payload {
  o: string;
  ns?: string;
  c?: Array<[number, number]>;
  r?: 1;
  b?: string;
}

export const channelOf = (schema: string): string => `aiosvec_${schema}`;

/** Sends the notifications of one transaction's vector changes (chunked under the payload limit). */
export async function notifyChanges(c: Sql, channel: string, origin: string, ns: string, changes: readonly VecChange[]): Promise<void> {
  let batch: Array<[number, number]> = [];
  let size = 0;
  const send = async (): Promise<void> => {
    if (batch.length === 0) return;
    await c.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ o: origin, ns, c: batch } satisfies Payload)]);
    batch = [];
    size = 0;
  };
  for (const ch of changes) {
    batch.push([ch.label, ch.seq]);
    size += 24;
    if (size > MAX_PAYLOAD - ns.length - origin.length - 64) await send();
  }
  await send();
}

export async function notifyReset(c: Sql, channel: string, origin: string, ns: string): Promise<void> {
  await c.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ o: origin, ns, r: 1 } satisfies Payload)]);
}

export class VectorListener {
  private client: pg.Client | undefined;
  private closed = false;
  private backoff = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  /** Notifications are applied one after another; barrier() waits for this chain. */
  private chain: Promise<void> = Promise.resolve();
  private readonly barriers = new Map<string, () => void>();
  private nextBarrier = 0;
  /** Times the listener (re)connected. */
  connects = 0;

  constructor(
    private readonly config: PgConfig,
    private readonly channel: string,
    private readonly origin: string,
    private readonly indexes: PgVectorIndexes,
  ) {}

  /** Connects and LISTENs; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  /**
   * Resolves once every change committed (by any node) before this call has been applied here: it sends a
   * marker through the database and waits for it to come back, which it does after the earlier ones.
   */
  async barrier(send: (channel: string, payload: string) => Promise<void>): Promise<void> {
    const id = `${this.origin}:${this.nextBarrier++}`;
    const seen = new Promise<void>((resolve) => this.barriers.set(id, resolve));
    await send(this.channel, JSON.stringify({ o: this.origin, b: id } satisfies Payload));
    await seen;
    await this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => {});
    await this.chain;
  }

  private async connect(): Promise<void> {
    const c = new pg.Client(clientConfig({ ...this.config, appName: `${this.config.appName ?? 'aios-storage'}-listen` }));
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    c.on('notification', (m) => this.onNotification(m.payload ?? ''));
    try {
      await c.connect();
      await c.query(`LISTEN ${this.channel}`);
    } catch (e) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      throw e;
    }
    if (this.closed) {
      await c.end().catch(() => {});
      return;
    }
    this.client = c;
    this.connects++;
    this.backoff = RECONNECT_MIN_MS;
    // Whatever was missed while not listening is read afresh from the database from now on.
    this.indexes.resetAll();
    this.indexes.live = true;
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    this.indexes.live = false;
    this.indexes.resetAll();
    c.end().catch(() => {});
    this.retry();
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.connect().catch(() => {
        this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
        this.retry();
      });
    }, this.backoff);
    this.timer.unref();
  }

  private onNotification(text: string): void {
    let p: Payload;
    try {
      p = JSON.parse(text) as Payload;
    } catch {
      return; // not ours
    }
    if (p.b !== undefined) {
      const done = this.barriers.get(p.b);
      this.barriers.delete(p.b);
      if (done) this.chain = this.chain.then(done);
      return;
    }
    if (p.o === this.origin || typeof p.ns !== 'string') return;
    const ns = p.ns;
    if (p.r) {
      this.indexes.reset(ns);
      return;
    }
    const changes = Array.isArray(p.c) ? p.c : [];
    this.chain = this.chain.then(() => this.indexes.applyRemote(ns, changes)).catch(() => {
      this.indexes.reset(ns); // could not read the rows: rebuild on the next search
    });
  }
}

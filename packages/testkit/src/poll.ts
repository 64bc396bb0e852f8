// Polling helpers for tests: wait (bounded) until a node reaches a state. A contract check, never a timing one:
// the bound is generous and only says "gave up"; nothing here measures how long it took.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PollOptions {
  /** How many times to look (default 600). */
  tries?: number;
  /** Pause between looks, ms (default 25). */
  everyMs?: number;
}

/**
 * Calls `probe` until `ok` holds for its value (a probe that throws counts as "not yet") and resolves with that
 * value; throws `timed out waiting for <what>` after opts.tries looks.
 */
export async function until<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, what: string, opts: PollOptions | number = {}): Promise<T> {
  const o = typeof opts === 'number' ? { tries: opts } : opts;
  const tries = o.tries ?? 600;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await probe();
      if (ok(v)) return v;
    } catch {
      /* not yet */
    }
    await sleep(o.everyMs ?? 25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Calls `probe` until it returns a truthy value and resolves with it (see until). */
export function untilTruthy<T>(probe: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, opts: PollOptions | number = {}): Promise<T> {
  return until(probe, (v) => Boolean(v), what, opts) as Promise<T>;
}

// Shared by the semantic IPC tests: polling until a node reaches a state.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `f` every 25 ms until `ok` holds for its value (errors count as "not yet"); throws after `tries`. */
export async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, what: string, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    try {
      const v = await f();
      if (ok(v)) return v;
    } catch {
      /* not yet */
    }
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

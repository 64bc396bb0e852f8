// Shared hooks: poll an API route, and a stable error line.
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
}

/** Calls load() now and every intervalMs (0: once); keeps the last good data next to the last error. */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[] = []): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const d = await load();
        if (live) {
          setData(d);
          setError(undefined);
        }
      } catch (e) {
        if (live) setError(e as Error);
      }
      if (live && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [tick, intervalMs, ...deps]);
  return { data, error, reload };
}

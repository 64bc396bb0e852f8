// A per-client bound on the API's requests to services (memoryd, semantic-ipcd): every HTTP client is the root
// agent to those services, so one client's burst would fill the root's queue there (serve() refuses past it) and
// starve the other clients. Past the bound a client's request is refused at once with EAGAIN (HTTP 503).
import { AiosError } from '@aios/abi';

/** Service requests one client (by remote address) may have in flight through the API. */
export const API_SERVICE_REQUESTS_PER_CLIENT = 64;

export interface ClientLimiter {
  /** Runs fn as one of `key`'s in-flight requests; EAGAIN when key already has `max` in flight. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** In-flight requests of key (tests). */
  inFlight(key: string): number;
}

export function createClientLimiter(max = API_SERVICE_REQUESTS_PER_CLIENT): ClientLimiter {
  const live = new Map<string, number>();
  return {
    inFlight: (key) => live.get(key) ?? 0,
    async run(key, fn) {
      const n = live.get(key) ?? 0;
      if (n >= max) throw new AiosError('EAGAIN', 'too many service requests in flight from this client: retry later', { inFlight: n, max });
      live.set(key, n + 1);
      try {
        return await fn();
      } finally {
        const left = (live.get(key) ?? 1) - 1;
        if (left <= 0) live.delete(key);
        else live.set(key, left);
      }
    },
  };
}

// The dashboard's one way to the node: the bearer token (kept in sessionStorage for this tab only),
// JSON requests to the API with `Authorization: Bearer`, and the events WebSocket URL.

const TOKEN_KEY = 'aios.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API error as the node reported it (code from the abi taxonomy, HTTP status). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Listeners told when the node refuses the token (401), so the app can return to the login page. */
const unauthorised = new Set<() => void>();
export function onUnauthorised(f: () => void): () => void {
  unauthorised.add(f);
  return () => unauthorised.delete(f);
}

/** One JSON request; rejects with ApiError for a non-2xx answer. */
export async function api<T>(method: string, path: string, body?: unknown, token = getToken()): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401) for (const f of unauthorised) f();
    throw new ApiError(res.status, e?.code ?? 'EIO', e?.message ?? `${res.status} ${res.statusText}`);
  }
  return json as T;
}

/** The events WebSocket (same origin; a browser cannot set headers on it, so the token is a query parameter). */
export function eventsUrl(pattern: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/v1/events?pattern=${encodeURIComponent(pattern)}&token=${encodeURIComponent(getToken() ?? '')}`;
}

// A client of the node's own HTTP API (bearer token), used by the MCP tools so they run the very code of the
// API routes (checks, spawn guard, audit) rather than a copy: in the node over loopback, in `aios mcp`
// against the running node. HTTP errors come back as the AiosErrors the API sent.
import { AiosError } from '@aios/abi';

export interface NodeApi {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export function httpNodeApi(base: () => string, token: string): NodeApi {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${base()}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (e) {
        throw new AiosError('ESRCH', `the node at ${base()} does not answer`, { base: base() }, { cause: e });
      }
      const text = await res.text();
      let json: { error?: { code?: string } } | undefined;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        throw new AiosError('EIO', `HTTP ${res.status} from the node is not JSON`, { status: res.status });
      }
      if (!res.ok) {
        if (json?.error?.code) throw AiosError.fromJSON(json.error as Parameters<typeof AiosError.fromJSON>[0]);
        throw new AiosError('EIO', `HTTP ${res.status} from the node`, { status: res.status });
      }
      return json as T;
    },
  };
}

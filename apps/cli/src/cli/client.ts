// The CLI's client for a running node: finds it through the data folder
// (node.json and the token) and speaks the HTTP API.

import { AiosError } from '@aios/abi';
import { readNodeFile, readToken } from 'aios/offline';

export interface NodeClient {
  base: string;
  token: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * The same request with a streamed reply (Accept: application/x-ndjson, apps/node/src/api/progress-stream.ts):
   * each progress line goes to onProgress; resolves with the final result, throws the final error.
   */
  stream<T>(method: string, path: string, body: unknown, onProgress: (p: Record<string, unknown>) => void): Promise<T>;
}

export function connect(dataDir: string): NodeClient {
  const info = readNodeFile(dataDir);
  const token = readToken(dataDir);
  if (!info || !token) {
    throw new AiosError('ESRCH', `no running node for data folder ${dataDir} (start one with \`aios boot\`, or pass --data-dir)`, { dataDir });
  }
  const base = `http://${info.host}:${info.port}`;
  const open = async (method: string, path: string, body: unknown, accept?: string): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(accept ? { accept } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new AiosError('ESRCH', `the node at ${base} does not answer (stale ${dataDir}/node.json? start one with \`aios boot\`)`, { base });
    }
  };
  return {
    base,
    token,
    async stream<T>(method: string, path: string, body: unknown, onProgress: (p: Record<string, unknown>) => void): Promise<T> {
      const res = await open(method, path, body, 'application/x-ndjson');
      if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/x-ndjson') || res.body === null) {
        // Refused before the work started (or an older node): a plain JSON reply.
        const text = await res.text();
        const json = text ? JSON.parse(text) : undefined;
        if (res.ok) return json as T;
        if (json?.error?.code) throw AiosError.fromJSON(json.error);
        throw new AiosError('EIO', `HTTP ${res.status} from the node`, { status: res.status });
      }
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line === '') continue;
          const msg = JSON.parse(line) as { progress?: Record<string, unknown>; result?: unknown; error?: { code: string; message?: string } };
          if (msg.progress !== undefined) onProgress(msg.progress);
          else if (msg.error !== undefined) throw AiosError.fromJSON(msg.error);
          else if ('result' in msg) return msg.result as T;
        }
      }
      throw new AiosError('EIO', 'the node ended the stream without a result', { path });
    },
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await open(method, path, body);
      const text = await res.text();
      const json = text ? JSON.parse(text) : undefined;
      if (!res.ok) {
        const e = json?.error;
        if (e?.code) throw AiosError.fromJSON(e);
        throw new AiosError('EIO', `HTTP ${res.status} from the node`, { status: res.status });
      }
      return json as T;
    },
  };
}

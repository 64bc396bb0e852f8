// The CLI's client for a running node: finds it through the data folder
// (node.json and the token) and speaks the HTTP API.

import { AiosError } from '@aios/abi';
import { readNodeFile, readToken } from 'aios/offline';

export interface NodeClient {
  base: string;
  token: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function connect(dataDir: string): NodeClient {
  const info = readNodeFile(dataDir);
  const token = readToken(dataDir);
  if (!info || !token) {
    throw new AiosError('ESRCH', `no running node for data folder ${dataDir} (start one with \`aios boot\`, or pass --data-dir)`, { dataDir });
  }
  const base = `http://${info.host}:${info.port}`;
  return {
    base,
    token,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new AiosError('ESRCH', `the node at ${base} does not answer (stale ${dataDir}/node.json? start one with \`aios boot\`)`, { base });
      }
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

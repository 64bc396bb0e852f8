// HTTP helpers shared by the API's route files: JSON responses and bounded JSON bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError } from '@aios/abi';

/** Writes a JSON response. Returns true so a route handler can `return send(...)`. */
export function send(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

/** Reads a JSON object body of at most maxBytes (EMSGSIZE past it, EINVAL when it is not an object). */
export async function readJson(req: IncomingMessage, maxBytes = 1024 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBytes) throw new AiosError('EMSGSIZE', 'request body too large', { max: maxBytes });
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new AiosError('EINVAL', 'request body must be a JSON object');
  }
}

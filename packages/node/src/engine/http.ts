// Small HTTP plumbing for the Engine API: routing with path parameters, JSON bodies with a size
// limit, query booleans parsed the daemon's way, and `{"message": …}` error bodies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, toApiError } from '../errors.js';

export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body(): Promise<unknown>;
}

export type Handler = (req: Request, res: ServerResponse) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' + path.replace(/\{(\w+)(\*?)\}/g, (_, k: string, rest: string) => {
        keys.push(k);
        // {name*} spans slashes (image names such as traefik/whoami).
        return rest ? '(.+)' : '([^/]+)';
      }) + '$',
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

/** `""`, `0`, `no`, `false`, `none` are false; anything else is true (moby's BoolValue). */
export function boolQuery(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

export function intQuery(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ApiError(400, `invalid ${key} parameter: ${v}`);
  return n;
}

/** Strips an optional `/vX.Y` prefix (the CLI sends one, dockerode does not). */
export function stripVersion(path: string): string {
  return path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

export function readBody(req: IncomingMessage): () => Promise<unknown> {
  let cached: Promise<unknown> | undefined;
  return () =>
    (cached ??= new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          reject(new ApiError(413, 'request body too large'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('error', reject);
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') return resolve(undefined);
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new ApiError(400, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`));
        }
      });
    }));
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = value === undefined ? '' : JSON.stringify(value) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = toApiError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.statusCode, { message: err.message });
}

// Small HTTP plumbing for the Engine API: routing with path parameters, JSON bodies decoded as
// moby's ReadJSON does (with a size limit), query booleans parsed the daemon's way, and
// `{"message": …}` error bodies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { apiError, readJsonBody, REQUEST_TOO_LARGE, type GoType } from '@swarmlab/api';
import { toApiError } from '../errors.js';

export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
/**
 * Bodies above this are not decoded. Nothing that large can be stored anyway (SwarmKit refuses
 * proposals over 1.5 MiB), so they get the store's answer; smaller ones get Docker's checks. (A
 * real daemon refuses anything over 4 MiB at the manager's gRPC limit, with the request's
 * protobuf size in the text, which cannot be known here.)
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** A client still sending after this much is cut off (the answer could never reach it). */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

export interface Request {
  method: string;
  /** The percent-decoded path without the `/vX.Y` prefix, as Go's URL.Path. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The raw body (undefined: none to give). Throws the store's "too large" error past MAX_BODY_BYTES. */
  body(): Promise<Buffer | undefined>;
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

  /**
   * Matches the decoded path, as gorilla/mux does: an escaped `/` in an ID splits it. 'method'
   * when only the method differs.
   */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = m[i + 1]));
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

/** Strips an optional `/vX.Y` prefix (the CLI sends one, dockerode does not). */
export function stripVersion(path: string): string {
  return path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

/** How long the body is by its headers: 0 without one, -1 when chunked (Go's ContentLength). */
export function contentLength(headers: IncomingMessage['headers']): number {
  const declared = headers['content-length'];
  if (declared !== undefined) return Number(declared);
  return headers['transfer-encoding'] ? -1 : 0;
}

/**
 * The body, read once. Past MAX_BODY_BYTES the rest is drained unread (so the client gets the
 * answer rather than a reset) and the store's "too large" error is thrown.
 */
export function readBody(req: IncomingMessage): () => Promise<Buffer> {
  let cached: Promise<Buffer> | undefined;
  return () =>
    (cached ??= new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DRAIN_BYTES) req.destroy();
        else if (size > MAX_BODY_BYTES) chunks.length = 0;
        else chunks.push(c);
      });
      req.on('error', reject);
      req.on('close', () => {
        if (!req.complete) reject(new Error('request body cut off'));
      });
      req.on('end', () => (size > MAX_BODY_BYTES ? reject(apiError(REQUEST_TOO_LARGE)) : resolve(Buffer.concat(chunks))));
    }));
}

/** The body decoded into the Go type moby reads it as (httputils.ReadJSON); `{}` without a body. */
export async function jsonBody<T>(req: Request, type: GoType): Promise<T> {
  const body = (await req.body()) ?? Buffer.alloc(0);
  const decoded = readJsonBody<T>({ contentType: req.headers['content-type'], contentLength: contentLength(req.headers), body }, type);
  return decoded ?? ({} as T);
}

/** Bodies already encoded, by answer: a memoized read returns the same object until the store moves. */
const encoded = new WeakMap<object, Buffer>();

/**
 * Gzipped answers, for clients that ask (the docker CLI sends `Accept-Encoding: gzip` and Go
 * decodes it transparently; dockerd itself never compresses, so nothing a client sees changes).
 * Only large bodies, and only once the same answer is served a second time: a list of a thousand
 * tasks read over and over then costs the kernel 30 KB to copy instead of 600 KB, while an answer
 * that changes with every write is never compressed for nothing.
 */
const GZIP_MIN_BYTES = 16 * 1024;
const gzipped = new WeakMap<object, Buffer | 'served once'>();

function acceptsGzip(res: ServerResponse): boolean {
  const accepted = res.req?.headers['accept-encoding'];
  return typeof accepted === 'string' && /(^|,)\s*gzip\s*(,|$)/i.test(accepted);
}

function gzippedBody(res: ServerResponse, value: object, body: Buffer): Buffer | undefined {
  if (body.length < GZIP_MIN_BYTES || !acceptsGzip(res)) return undefined;
  const seen = gzipped.get(value);
  if (seen === undefined) {
    gzipped.set(value, 'served once');
    return undefined;
  }
  if (seen !== 'served once') return seen;
  const z = gzipSync(body, { level: 1 });
  gzipped.set(value, z);
  return z;
}

/** One frame of Docker's multiplexed stream: stream type, three zero bytes, length, then the bytes. */
export function streamFrame(stream: 'stdout' | 'stderr', text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  let body: Buffer | string;
  if (value !== null && typeof value === 'object') {
    let cached = encoded.get(value);
    if (!cached) encoded.set(value, (cached = Buffer.from(JSON.stringify(value) + '\n')));
    const z = gzippedBody(res, value, cached);
    if (z) {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': z.length });
      res.end(z);
      return;
    }
    body = cached;
  } else body = value === undefined ? '' : JSON.stringify(value) + '\n';
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

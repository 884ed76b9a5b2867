// The request line as dockerd sees it: Go's net/http decodes the path (a bad %-escape is a plain
// "400 Bad Request" before any handler runs), and gorilla/mux, which the daemon routes with,
// answers any path that path.Clean would change (`..`, `.`, `//`) with a 301 to the cleaned
// one instead of serving it. So `/services/..%2Fnodes` never reaches a handler.

import { posix } from 'node:path';
import type { ServerResponse } from 'node:http';
import { GO_BAD_REQUEST_TEXT } from '@swarmlab/api';

export type RequestTarget =
  | { kind: 'ok'; path: string; query: URLSearchParams }
  | { kind: 'redirect'; location: string }
  | { kind: 'bad' };

const HEX = /^[0-9a-fA-F]{2}$/;

/** Go's url.unescape in path mode: every `%` takes two hex digits; bytes decode as UTF-8. */
function unescapePath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(raw[i], raw.charCodeAt(i) > 0xff ? 'utf8' : 'latin1'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** gorilla/mux cleanPath: path.Clean, keeping a trailing slash. */
function cleanPath(path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  let clean = posix.normalize(p);
  if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
  return p.endsWith('/') && clean !== '/' ? `${clean}/` : clean;
}

/** Go's escape(path, encodePath): unreserved characters and `$&+,/:;=@` stay as they are. */
function escapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Splits and decodes `req.url` the daemon's way. */
export function parseRequestTarget(rawUrl: string): RequestTarget {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  if (!rawPath.startsWith('/')) return { kind: 'bad' };
  const path = unescapePath(rawPath);
  if (path === undefined) return { kind: 'bad' };
  const clean = cleanPath(path);
  if (clean !== path) return { kind: 'redirect', location: escapePath(clean) + (q < 0 ? '' : `?${rawQuery}`) };
  return { kind: 'ok', path, query: new URLSearchParams(rawQuery) };
}

/** What Go's server writes for a request it cannot parse, then it hangs up. */
export function sendGoBadRequest(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close', 'Content-Length': GO_BAD_REQUEST_TEXT.length });
  res.end(GO_BAD_REQUEST_TEXT);
}

/** gorilla/mux's redirect to the cleaned path: 301 with no body. */
export function sendCleanPathRedirect(res: ServerResponse, location: string): void {
  res.writeHead(301, { Location: location, 'Content-Length': 0 });
  res.end();
}

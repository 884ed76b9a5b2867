// moby's httputils.ReadJSON for a server: the Content-Type check, Go's json.Decoder on the first
// value (syntax, then types), then "unexpected content after JSON". Each failure is the daemon's
// 400 with its text.

import { decodeGoValue, GoDecodeError, type GoType } from './go-decode.js';
import { buildGoJsonTree, GoJsonSyntaxError, hasMoreJson, scanGoJsonValue } from './go-json.js';
import {
  apiError,
  CONTENT_AFTER_JSON,
  invalidJson,
  JSON_EOF,
  malformedContentType,
  unsupportedContentType,
} from './errors.js';

export interface JsonRequestBody {
  /** The Content-Type header as sent, if any. */
  contentType: string | undefined;
  /** Content-Length: 0 for a request without body, -1 when unknown (chunked). */
  contentLength: number;
  body: Uint8Array;
}

// RFC 2045 token characters: visible ASCII except tspecials.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PARAM = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*$/;

/** The leading run of token characters, and the rest (Go mime's consumeToken). */
function consumeToken(s: string): [string, string] {
  let i = 0;
  while (i < s.length && TOKEN.test(s[i])) i++;
  return [s.slice(0, i), s.slice(i)];
}

/** mime.ParseMediaType's media type, or its error text. */
function parseMediaType(value: string): { type: string } | { error: string } {
  const semi = value.indexOf(';');
  const base = (semi < 0 ? value : value.slice(0, semi)).toLowerCase().trim();
  const [type, rest] = consumeToken(base);
  if (type === '') return { error: 'mime: no media type' };
  if (rest !== '') {
    if (!rest.startsWith('/')) return { error: 'mime: expected slash after first token' };
    const [subtype, tail] = consumeToken(rest.slice(1));
    if (subtype === '') return { error: 'mime: expected token after slash' };
    if (tail !== '') return { error: 'mime: unexpected content after media subtype' };
  }
  if (semi >= 0) {
    const names = new Set<string>();
    const params = value.slice(semi + 1).split(';');
    for (const [i, param] of params.entries()) {
      // A trailing ";" is tolerated, as Go does.
      if (param.trim() === '' && i === params.length - 1) break;
      const m = PARAM.exec(param);
      if (!m) return { error: 'mime: invalid media parameter' };
      const name = m[1].toLowerCase();
      if (names.has(name)) return { error: 'mime: duplicate parameter name' };
      names.add(name);
    }
  }
  return { type: base };
}

/** httputils.CheckForJSON: no Content-Type is fine only without a body. */
export function checkJsonContentType(contentType: string | undefined, contentLength: number): void {
  const ct = contentType ?? '';
  if (ct === '' && contentLength === 0) return;
  const parsed = parseMediaType(ct);
  if ('error' in parsed) throw apiError(malformedContentType(ct, parsed.error));
  if (parsed.type !== 'application/json') throw apiError(unsupportedContentType(ct));
}

/**
 * Decodes a request body into `type` as the daemon does. Returns undefined for a request
 * without a body (the Go value stays zero). Throws DockerApiError(400).
 */
export function readJsonBody<T>(request: JsonRequestBody, type: GoType): T | undefined {
  checkJsonContentType(request.contentType, request.contentLength);
  if (request.contentLength === 0) return undefined;
  let end: number | 'eof';
  try {
    end = scanGoJsonValue(request.body);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) throw apiError(invalidJson(e.message));
    throw e;
  }
  if (end === 'eof') throw apiError(JSON_EOF);
  let value: unknown;
  try {
    value = decodeGoValue(buildGoJsonTree(request.body, end), type);
  } catch (e) {
    if (e instanceof GoDecodeError) throw apiError(invalidJson(e.message));
    throw e;
  }
  if (hasMoreJson(request.body, end)) throw apiError(CONTENT_AFTER_JSON);
  return value as T;
}

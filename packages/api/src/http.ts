// One HTTP exchange with a daemon, with the Engine API's error conventions: status ≥ 400 becomes
// DockerApiError (the body's `message`), and no answer becomes DockerConnectionError telling
// whether the request may have reached the daemon.
//
// Built on node:http rather than fetch: fetch's shared connection pool opens and reuses sockets
// out of the caller's sight, so a socket left over from a killed node fails a request that never
// reached anyone, and the caller cannot tell. Here each exchange knows whether its TCP connection
// was ever established; by default every request gets a fresh connection (no keep-alive).

import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { DockerApiError, DockerConnectionError } from './errors.js';
import { encodeQuery, type QueryValue } from './query.js';

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON when defined. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides the client's timeout (whole exchange, body included); 0 disables it. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Exchange {
  method: string;
  /** Path including any version prefix, without the query string. */
  path: string;
}

export interface Target {
  host: string;
  port: number;
  /** false: a new connection per request. */
  agent: Agent | false;
}

/** A 2xx answer whose body is still to be read. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** Reads the whole body as text. */
  text(): Promise<string>;
  /** Ends the exchange early (stream consumers that stop reading). */
  close(): void;
  /** Maps an error met while reading the body, keeping our own reason (timeout, abort) first. */
  connectionError(error: unknown): DockerConnectionError;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

class AbortedError extends Error {
  override readonly name = 'AbortError';
}

function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Maps a transport failure to DockerConnectionError; `connected` says the TCP connection existed. */
export function connectionError(error: unknown, exchange: Exchange, connected: boolean): DockerConnectionError {
  const where = `${exchange.method} ${exchange.path}`;
  if (error instanceof AbortedError) {
    return new DockerConnectionError(`${where}: request aborted`, 'ABORTED', connected, exchange, { cause: error });
  }
  if (error instanceof TimeoutError) {
    return new DockerConnectionError(`${where}: timed out waiting for the daemon`, 'ETIMEDOUT', connected, exchange, {
      cause: error,
    });
  }
  const code = errorCode(error) ?? 'ECONNECTION';
  const detail = error instanceof Error ? error.message : String(error);
  return new DockerConnectionError(`${where}: ${detail}`, code, connected, exchange, { cause: error });
}

/** The daemon's error text from an error body: `{"message": …}`, else the raw text. */
function errorMessage(text: string, status: number, statusText: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      return parsed.message;
    }
  } catch {
    // not JSON: fall through to the raw body
  }
  return text.trim() || `${status} ${statusText}`.trim();
}

async function collect(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sends one request. Resolves once a 2xx status arrives (the body is left to the caller); rejects
 * with DockerApiError for ≥ 400 and DockerConnectionError when there is no complete answer.
 */
export function send(
  target: Target,
  exchange: Exchange,
  options: RequestOptions,
  defaultTimeoutMs: number,
): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    payload = Buffer.from(JSON.stringify(options.body), 'utf8');
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const signal = options.signal;

  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    let failure: Error | undefined;
    const req = httpRequest({
      host: target.host,
      port: target.port,
      method: exchange.method,
      path: `${exchange.path}${encodeQuery(options.query)}`,
      headers,
      agent: target.agent,
    });

    const stop = (reason: Error): void => {
      failure ??= reason;
      req.destroy(reason);
    };
    const timer = timeoutMs > 0 ? setTimeout(() => stop(new TimeoutError('timeout')), timeoutMs) : undefined;
    const onAbort = (): void => stop(new AbortedError('aborted'));
    const finish = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    /** The error to report for a failure at any stage: our own reason first (timeout, abort). */
    const mapped = (error: unknown): DockerConnectionError => connectionError(failure ?? error, exchange, connected);

    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (error) => {
      finish();
      if (!settled) {
        settled = true;
        reject(mapped(error));
      }
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const read = async (): Promise<string> => {
        try {
          return await collect(res);
        } catch (error) {
          throw mapped(error);
        } finally {
          finish();
        }
      };
      settled = true;
      if (status >= 400) {
        read().then(
          (text) => reject(new DockerApiError(status, errorMessage(text, status, res.statusMessage ?? ''), exchange)),
          reject,
        );
        return;
      }
      resolve({
        status,
        headers: res.headers,
        body: res,
        text: read,
        close: () => {
          finish();
          req.destroy();
        },
        connectionError: mapped,
      });
    });

    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    req.end(payload);
  });
}

/** Reads a successful body: undefined when empty, parsed when JSON, else the text. */
export async function readBody(response: HttpResponse, exchange: Exchange): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  if (!(response.headers['content-type'] ?? '').includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    // The daemon answered (so the call took effect) but not in JSON: a protocol error, not an API one.
    throw new Error(`${exchange.method} ${exchange.path}: the daemon's answer is not valid JSON`);
  }
}

/**
 * Yields newline-delimited JSON values from a streaming body (GET /events). Ends quietly when the
 * caller's signal aborts; a broken connection is a DockerConnectionError.
 */
export async function* readJsonLines<T>(response: HttpResponse, signal?: AbortSignal): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Buffer, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== '') yield JSON.parse(line) as T;
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    if (error instanceof SyntaxError) throw error;
    throw response.connectionError(error);
  } finally {
    response.close();
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest !== '') yield JSON.parse(rest) as T;
}

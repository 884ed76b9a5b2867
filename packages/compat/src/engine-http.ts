// Raw Engine API exchanges over a unix socket or TCP. The scenario needs these for what the docker
// CLI has no command for (GET /swarm, secret and config updates) and for polling task states;
// @swarmlab/api's client speaks TCP only, and the real dockerd here listens on a unix socket.

import { request } from 'node:http';
import type { EngineEndpoint } from './targets.js';

export interface EngineReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export function engineRequest(
  endpoint: EngineEndpoint,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<EngineReply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const where = 'socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...where,
        method,
        path,
        agent: false,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** GET returning parsed JSON; an error status becomes an Error with the daemon's message. */
export async function engineGetJson<T>(endpoint: EngineEndpoint, path: string): Promise<T> {
  const reply = await engineRequest(endpoint, 'GET', path);
  if (reply.status >= 400) throw new Error(`GET ${path}: ${reply.status} ${errorMessage(reply.text)}`);
  return JSON.parse(reply.text) as T;
}

/** The `message` of a daemon error body, else the body itself. */
export function errorMessage(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    /* not JSON: the raw text is the message */
  }
  return text.trim();
}

/** The API version the docker CLI 28 would use with this daemon: min(1.50, the ping's Api-Version). */
export async function negotiateApiVersion(endpoint: EngineEndpoint): Promise<string> {
  const reply = await engineRequest(endpoint, 'GET', '/_ping');
  const claimed = reply.headers['api-version'];
  if (typeof claimed !== 'string') return '1.24';
  return compareVersions(claimed, CLIENT_API_VERSION) < 0 ? claimed : CLIENT_API_VERSION;
}

const CLIENT_API_VERSION = '1.50';

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

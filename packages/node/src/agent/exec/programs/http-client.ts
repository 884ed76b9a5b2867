// One HTTP/1.1 exchange over a container's own connection (proc.sys.connect: loopback, or the
// swarm's overlay routed by the node), for the emulated HTTP clients (busybox wget, curl).

import { request, type ClientRequestArgs, type IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Proc } from '../process.js';

export interface HttpExchange {
  address: string;
  port: number;
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
}

export interface HttpReply {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  /** Header names and values as received, in order. */
  rawHeaders: string[];
  body: Buffer;
}

/** The error's code is the socket's (ECONNREFUSED, ENETUNREACH…), or ETIMEDOUT after timeoutMs. */
export function httpExchange(proc: Proc, x: HttpExchange): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const createConnection = ((_: unknown, done: (error: Error | null, socket?: Duplex) => void) => {
      proc.sys.connect(x.address, x.port).then((socket) => done(null, socket), (error: Error) => done(error));
    }) as unknown as ClientRequestArgs['createConnection'];
    const req = request({ createConnection, path: x.path, method: x.method, headers: x.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          httpVersion: res.httpVersion,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(x.timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(x.body);
  });
}

/** "http://web:8080/x?y" (scheme optional) → its parts; undefined when it is no URL at all. */
export function parseHttpUrl(raw: string): URL | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

// HTTP over a cluster's launcher socket: JSON calls and line streams (see supervisor-protocol.ts).

import { request, type IncomingMessage } from 'node:http';
import type { SupervisorMethod } from './supervisor-protocol.js';

export class SupervisorClient {
  constructor(
    readonly socketPath: string,
    /** For error messages: which cluster this launcher runs. */
    readonly clusterName: string,
  ) {}

  private open(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<IncomingMessage> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path,
          signal,
          headers: text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        },
        resolve,
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
          reject(new Error(`the launcher of cluster "${this.clusterName}" is not running (start it with \`swarmlab up --name ${this.clusterName}\`)`));
        } else if (e.code === 'ECONNRESET' && method === 'POST') {
          reject(new Error(`the launcher of cluster "${this.clusterName}" closed the connection (see its launcher.log)`));
        } else reject(e);
      });
      req.end(text);
    });
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.open(method, path, body);
    const chunks: Buffer[] = [];
    for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: { value?: unknown; error?: string };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`the launcher of cluster "${this.clusterName}" answered ${res.statusCode} with something that is not JSON`);
    }
    if ((res.statusCode ?? 500) >= 400) throw new Error(parsed.error ?? `the launcher answered ${res.statusCode}`);
    return parsed;
  }

  async call<T = unknown>(method: SupervisorMethod, ...args: unknown[]): Promise<T> {
    return ((await this.json('POST', '/call', { method, args })) as { value: T }).value;
  }

  async ping(): Promise<{ name: string; pid: number }> {
    return (await this.json('GET', '/ping')) as { name: string; pid: number };
  }

  /** Stops every node; resolves with their names once they are stopped. */
  async down(): Promise<string[]> {
    return ((await this.json('POST', '/down')) as { stopped: string[] }).stopped;
  }

  /** The lines of a streamed answer (`GET /events`), until it ends or `signal` aborts. */
  async *lines(path: string, signal?: AbortSignal): AsyncGenerator<string> {
    let res: IncomingMessage;
    try {
      res = await this.open('GET', path, undefined, signal);
    } catch (e) {
      if (signal?.aborted) return;
      throw e;
    }
    let partial = '';
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) if (line.trim() !== '') yield line;
      }
    } catch (e) {
      if (!signal?.aborted) throw e;
    } finally {
      res.destroy();
    }
  }
}

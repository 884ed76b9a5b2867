// The background launcher: owns one cluster's Lab (so its node processes stay supervised and their
// control channels stay open after `swarmlab up` returns) and serves the CLI and scripts over a
// UNIX socket in the cluster directory. See supervisor-protocol.ts for the protocol.

import { existsSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Lab } from './lab.js';
import { CallError, dispatch, MUTATING } from './supervisor-dispatch.js';
import { StatusObserver } from './supervisor-observer.js';
import { SUPERVISOR_METHODS, supervisorSocket, type SupervisorMethod, type SupervisorOptions } from './supervisor-protocol.js';
import { tailLines } from './supervisor-tail.js';

/** Linux's limit for a UNIX socket path (sun_path), less the terminating NUL. */
const MAX_SOCKET_PATH = 107;
const MAX_BODY = 1 << 20;

export class Supervisor {
  readonly socketPath: string;
  private server: Server | undefined;
  private readonly observer: StatusObserver;
  /** Mutating calls run one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();
  private downing: Promise<string[]> | undefined;
  private resolveStopped!: () => void;
  /** Settles once every node is stopped and the socket is closed. */
  readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));

  private constructor(readonly lab: Lab) {
    this.socketPath = supervisorSocket(lab.dir);
    // Poll about twice per dispatcher heartbeat period, so a Down node shows within a second.
    this.observer = new StatusObserver(lab, lab.opts.profile === 'fast' ? 500 : 2000);
  }

  /** Brings the cluster up, then serves it. */
  static async start(options: SupervisorOptions, onProgress?: (line: string) => void): Promise<Supervisor> {
    const lab = await Lab.up({ ...options, onProgress });
    const sup = new Supervisor(lab);
    try {
      await sup.listen();
    } catch (e) {
      await lab.down();
      throw e;
    }
    sup.observer.start();
    return sup;
  }

  private async listen(): Promise<void> {
    if (this.socketPath.length > MAX_SOCKET_PATH) {
      throw new Error(`the socket path ${this.socketPath} is too long for a UNIX socket (${MAX_SOCKET_PATH} bytes at most): set SWARMLAB_HOME to a shorter directory`);
    }
    if (existsSync(this.socketPath)) {
      if (await answers(this.socketPath)) throw new Error(`another launcher already serves ${this.socketPath}`);
      unlinkSync(this.socketPath);
    }
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://launcher');
    try {
      if (req.method === 'GET' && url.pathname === '/ping') return reply(res, 200, { name: this.lab.name, pid: process.pid });
      if (req.method === 'GET' && url.pathname === '/events') return await this.streamEvents(req, res, url.searchParams.get('follow') === '1');
      if (req.method === 'POST' && url.pathname === '/down') {
        const stopped = await this.down();
        // The socket closes once the reply is out.
        res.once('finish', () => void this.close());
        return reply(res, 200, { stopped });
      }
      if (req.method === 'POST' && url.pathname === '/call') {
        const body = (await readJson(req)) as { method?: unknown; args?: unknown };
        const method = body.method;
        if (typeof method !== 'string' || !(SUPERVISOR_METHODS as readonly string[]).includes(method)) {
          return reply(res, 404, { error: `unknown method "${String(method)}" (known: ${SUPERVISOR_METHODS.join(', ')})` });
        }
        const args = Array.isArray(body.args) ? body.args : [];
        if (this.downing) return reply(res, 409, { error: `cluster "${this.lab.name}" is going down` });
        const value = await this.call(method as SupervisorMethod, args);
        return reply(res, 200, { value: value ?? null });
      }
      reply(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // A CallError is the caller's mistake; anything else failed while carrying the call out.
      reply(res, e instanceof CallError || e instanceof SyntaxError ? 400 : 500, { error: message });
    }
  }

  private call(method: SupervisorMethod, args: unknown[]): Promise<unknown> {
    if (!MUTATING.has(method)) return dispatch(this.lab, method, args);
    const run = this.queue.then(() => dispatch(this.lab, method, args));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async streamEvents(req: IncomingMessage, res: ServerResponse, follow: boolean): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for await (const line of tailLines(join(this.lab.dir, 'events.jsonl'), { follow, signal: abort.signal })) {
      if (!res.write(line + '\n')) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  /** Stops every node (after the verb in progress, if any). Safe to call more than once. */
  down(): Promise<string[]> {
    return (this.downing ??= (async () => {
      this.observer.stop();
      await this.queue;
      const names = [...this.lab.nodes.keys()];
      await this.lab.down();
      return names;
    })());
  }

  /** Closes the socket (and every `events -f` stream); `stopped` settles then. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.close(() => {
        try {
          unlinkSync(this.socketPath);
        } catch {
          /* already gone */
        }
        this.resolveStopped();
      });
      server.closeAllConnections();
    }
    return this.stopped;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new CallError('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

/** Whether something accepts connections on a UNIX socket path. */
export function answers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean) {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    }
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

// POST /containers/{id}/attach with `Upgrade: tcp`: what `docker run` (without -d) and `docker
// attach` open (without the upgrade, as dockerode attaches, the output comes in the body). The
// container's output comes down the bare connection as it is written (framed per stream unless it
// has a TTY) until it exits. A client attached before the start also gives PID 1
// its input: `-i` its stdin, read to the end first (the emulated programs read it whole), and
// `-it` with a bare shell a terminal the shell runs from line by line (terminal.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Container, InitInput } from '../agent/exec/index.js';
import type { Daemon } from '../daemon/daemon.js';
import { ApiError } from '../errors.js';
import { isShell, refuseHijack } from './exec-sessions.js';
import { boolQuery, streamFrame } from './http.js';
import { findContainer } from './routes-containers.js';
import { runTerminal } from './terminal.js';

/** Inputs of containers attached to before their start, taken by the start. */
export class PendingAttachments {
  private readonly byContainer = new Map<string, InitInput>();

  set(containerId: string, input: InitInput): void {
    this.byContainer.set(containerId, input);
  }

  /** What the start gives PID 1 (nothing when no client attached with input). */
  take(containerId: string): InitInput | undefined {
    const input = this.byContainer.get(containerId);
    this.byContainer.delete(containerId);
    return input;
  }
}

export function hijackAttach(daemon: Daemon, pending: PendingAttachments, id: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  let c: Container;
  try {
    c = findContainer(daemon, id);
  } catch (e) {
    return refuseHijack(socket, e instanceof ApiError ? e : new ApiError(500, String(e)));
  }
  const query = new URL(req.url ?? '/', 'http://engine').searchParams;
  const tty = c.config.tty === true;
  const wantStdin = boolQuery(query, 'stdin') && daemon.standalone?.get(c.id)?.spec.openStdin === true;
  const stdout = boolQuery(query, 'stdout');
  const stderr = boolQuery(query, 'stderr');
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream'}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  const beforeStart = c.status().state === 'created';

  if (beforeStart && wantStdin && tty && isShell([c.path]) && c.processArgs.length === 0) {
    // The shell is PID 1 and this connection its terminal; what it writes is logged too.
    pending.set(c.id, {
      terminal: (shell, log) =>
        runTerminal(shell, socket, (text) => {
          if (socket.writable) socket.write(text.replace(/\r?\n/g, '\r\n'));
          log(text);
        }),
    });
    void c.wait().then(() => socket.end());
    return;
  }
  // On a TTY anything else reads a terminal nobody types into, as the emulated programs do.
  if (beforeStart && wantStdin && !tty) {
    const chunks: Buffer[] = [];
    pending.set(c.id, {
      stdin: new Promise((resolve) => {
        socket.on('data', (d: Buffer) => chunks.push(d));
        socket.once('end', () => resolve(Buffer.concat(chunks).toString()));
        socket.once('close', () => resolve(Buffer.concat(chunks).toString()));
      }),
    });
  }
  void streamOutput(c, socket, tty, { stdout, stderr }).then(() => socket.end());
}

/** Where attached output goes: the hijacked connection, or the body of an attach that was not upgraded. */
interface OutputSink {
  readonly writable: boolean;
  write(chunk: string | Buffer): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * POST /containers/{id}/attach without `Upgrade: tcp` (dockerode's attach): dockerd answers 200 and
 * streams the output in the body until the container exits; nothing is read from the client.
 */
export async function attachWithoutUpgrade(daemon: Daemon, id: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
  const c = findContainer(daemon, id);
  const tty = c.config.tty === true;
  res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
  res.flushHeaders();
  await streamOutput(c, res, tty, { stdout: boolQuery(query, 'stdout'), stderr: boolQuery(query, 'stderr') });
  if (!res.writableEnded) res.end();
}

/** The container's output from now on, until it exits or the client goes. */
async function streamOutput(c: Container, socket: OutputSink, tty: boolean, want: { stdout: boolean; stderr: boolean }): Promise<void> {
  const abort = new AbortController();
  socket.once('close', () => abort.abort());
  try {
    for await (const l of c.logs({ follow: true, tail: 0, signal: abort.signal })) {
      if ((l.stream === 'stdout' && !want.stdout) || (l.stream === 'stderr' && !want.stderr)) continue;
      // A TTY's lines are logged with their CR already; without one each stream is framed.
      if (socket.writable) socket.write(tty ? `${l.line}\n` : streamFrame(l.stream, `${l.line}\n`));
    }
  } catch {
    // The client went away, or the container was removed: the stream ends.
  }
}

// docker run's routes and its attach (routes-run.ts, attach.ts), loaded on first use: most nodes
// never run a container outside services, and the code stays out of every worker's memory until
// one does (~0.4 MB per worker measured when they were loaded at start).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Daemon } from '../daemon/daemon.js';
import type { Handler, Router } from './http.js';

/** docker run's routes: registered at start so that a request for one loads routes-run.ts, whose handlers must cover exactly these. */
const RUN_ROUTES = [
  'POST /containers/create',
  'POST /containers/prune',
  'POST /containers/{id}/start',
  'POST /containers/{id}/restart',
  'POST /containers/{id}/wait',
  'POST /containers/{id}/attach',
  'POST /containers/{id}/resize',
] as const;

export type RunRoute = (typeof RUN_ROUTES)[number];

export class RunLoader {
  private loading: Promise<{ handlers: Record<RunRoute, Handler>; hijack: (id: string, req: IncomingMessage, socket: Duplex, head: Buffer) => void }> | undefined;

  constructor(private readonly daemon: Daemon) {}

  private load() {
    return (this.loading ??= Promise.all([import('./routes-run.js'), import('./attach.js')]).then(([{ runHandlers }, { hijackAttach, PendingAttachments }]) => {
      const pending = new PendingAttachments();
      return { handlers: runHandlers(this.daemon, pending), hijack: (id: string, req: IncomingMessage, socket: Duplex, head: Buffer) => hijackAttach(this.daemon, pending, id, req, socket, head) };
    }));
  }

  register(r: Router): void {
    for (const route of RUN_ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      r.on(method, path, async (req, res) => (await this.load()).handlers[route](req, res));
    }
  }

  /** POST /containers/{id}/attach with `Upgrade: tcp`. */
  hijack(id: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.pause();
    void this.load().then(
      ({ hijack }) => {
        socket.resume();
        hijack(id, req, socket, head);
      },
      () => socket.destroy(),
    );
  }
}

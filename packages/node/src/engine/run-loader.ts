// docker run's routes and its attach (routes-run.ts, attach.ts), loaded on first use: most nodes
// never run a container outside services, and the code stays out of every worker's memory until
// one does (~0.4 MB per worker measured when they were loaded at start).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Daemon } from '../daemon/daemon.js';
import type { Handler, Router } from './http.js';

/** The routes routes-run.ts serves, registered here so that a request for one loads it. */
const RUN_ROUTES: [method: string, path: string][] = [
  ['POST', '/containers/create'],
  ['POST', '/containers/prune'],
  ['POST', '/containers/{id}/start'],
  ['POST', '/containers/{id}/restart'],
  ['POST', '/containers/{id}/wait'],
  ['POST', '/containers/{id}/attach'],
  ['POST', '/containers/{id}/resize'],
];

export class RunLoader {
  private loading: Promise<{ handlers: Map<string, Handler>; hijack: (id: string, req: IncomingMessage, socket: Duplex, head: Buffer) => void }> | undefined;

  constructor(private readonly daemon: Daemon) {}

  private load() {
    return (this.loading ??= Promise.all([import('./routes-run.js'), import('./attach.js')]).then(([{ runRoutes }, { hijackAttach, PendingAttachments }]) => {
      const pending = new PendingAttachments();
      const handlers = new Map<string, Handler>();
      const collect: Pick<Router, 'on'> = {
        on(method, path, handler) {
          handlers.set(`${method} ${path}`, handler);
          return this as Router;
        },
      };
      runRoutes(collect, this.daemon, pending);
      return { handlers, hijack: (id: string, req: IncomingMessage, socket: Duplex, head: Buffer) => hijackAttach(this.daemon, pending, id, req, socket, head) };
    }));
  }

  register(r: Router): void {
    for (const [method, path] of RUN_ROUTES) {
      r.on(method, path, async (req, res) => {
        const handler = (await this.load()).handlers.get(`${method} ${path}`);
        if (!handler) throw new Error(`docker run route ${method} ${path} is not served by routes-run.ts`);
        return handler(req, res);
      });
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

// The "kernel" one container's programs share: its clock (sleeps in emulated time), its
// filesystem, its network identity, and the bookkeeping that lets a kill end everything at once —
// every sleep rejects, every server stops listening, every socket is destroyed.

import type { Server, Socket } from 'node:net';
import { connectLocal } from '../local-connect.js';
import type { Duplex } from 'node:stream';
import type { ContainerFs } from './rootfs.js';
import type { ImageDefinition } from './images/catalog.js';
import { ProcessKilled } from './process.js';

/** setTimeout's ceiling; longer sleeps are taken in pieces. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ContainerIdentity {
  id: string;
  hostname: string;
  bindAddress: string;
  /** What programs report as the container's addresses (whoami's IP lines). */
  addresses: string[];
  /** Ports the task's endpoint targets (ContainerConfig.ports). */
  ports: { targetPort: number; protocol: 'tcp' | 'udp' }[];
  user: string;
}

export interface SystemOptions {
  identity: ContainerIdentity;
  fs: ContainerFs;
  image: ImageDefinition;
  now: () => number;
  toReal: (emulatedMs: number) => number;
  lookupName?: (name: string) => string[] | Promise<string[]>;
  /** Connections to addresses that are not loopback ones: the swarm's overlay addresses. */
  connect?: (address: string, port: number) => Promise<Duplex>;
}

/** What a connect() to an address no route leads to fails with, as the kernel's ENETUNREACH. */
function unreachable(address: string): never {
  throw Object.assign(new Error(`connect ENETUNREACH ${address}`), { code: 'ENETUNREACH' });
}


export class ContainerSystem {
  readonly identity: ContainerIdentity;
  readonly fs: ContainerFs;
  readonly image: ImageDefinition;
  private readonly abort = new AbortController();
  /** Listening servers with the connections each accepted. */
  private readonly servers = new Map<Server, Set<Socket>>();
  /** Client sockets programs opened. */
  private readonly sockets = new Set<Duplex>();
  private readonly killedPromise: Promise<never>;
  /** listen() calls still binding, so start() can return once a server's ports are up. */
  private pendingListens = 0;

  constructor(private readonly o: SystemOptions) {
    this.identity = o.identity;
    this.fs = o.fs;
    this.image = o.image;
    this.killedPromise = new Promise<never>((_, reject) => {
      this.abort.signal.addEventListener('abort', () => reject(new ProcessKilled()), { once: true });
    });
    // Nobody may be listening yet; the rejection is still observed through untilKilled().
    this.killedPromise.catch(() => undefined);
  }

  now(): number {
    return this.o.now();
  }

  get killed(): boolean {
    return this.abort.signal.aborted;
  }

  get killSignal(): AbortSignal {
    return this.abort.signal;
  }

  /** Rejects with ProcessKilled when the container is killed; never resolves otherwise. */
  untilKilled(): Promise<never> {
    return this.killedPromise;
  }

  /** Sleeps `ms` of emulated time; Infinity sleeps until killed. */
  async sleep(ms: number): Promise<void> {
    if (this.killed) throw new ProcessKilled();
    if (!Number.isFinite(ms)) return this.untilKilled();
    let remaining = Math.max(0, this.o.toReal(ms));
    do {
      const step = Math.min(remaining, MAX_TIMER_MS);
      remaining -= step;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(new ProcessKilled());
        };
        const timer = setTimeout(() => {
          this.abort.signal.removeEventListener('abort', onAbort);
          resolve();
        }, step);
        this.abort.signal.addEventListener('abort', onAbort, { once: true });
      });
    } while (remaining > 0);
  }

  /** The address a program connecting to `name` uses: the first of the answer. */
  async resolve(name: string): Promise<string | undefined> {
    return (await this.lookup(name))[0];
  }

  /** Every address `name` stands for (an address stands for itself); empty when unknown. */
  async lookup(name: string): Promise<string[]> {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return [name];
    if (name === 'localhost' || name === this.identity.hostname) return [this.loopback(name)];
    try {
      return (await this.o.lookupName?.(name)) ?? [];
    } catch {
      return [];
    }
  }

  /**
   * A program's TCP connection. Loopback addresses (the container's own, other containers') are
   * dialled directly; the swarm's overlay addresses go through the node, which balances virtual
   * IPs over their tasks; anything else is unreachable: a container has no way out of the swarm.
   */
  async connect(address: string, port: number): Promise<Duplex> {
    if (this.killed) throw new ProcessKilled();
    const target = this.loopback(address);
    const socket = target.startsWith('127.') ? await connectLocal(target, port) : this.o.connect ? await this.o.connect(target, port) : unreachable(target);
    this.track(socket);
    return socket;
  }

  /** The container's own loopback: its sockets live on bindAddress. */
  loopback(address: string): string {
    return address === 'localhost' || address === this.identity.hostname || address.startsWith('127.0.0.') || address === '0.0.0.0'
      ? this.identity.bindAddress
      : address;
  }

  /** Listens on bindAddress:port; rejects with the errno error (EADDRINUSE, EACCES …). */
  listen(server: Server, port: number): Promise<void> {
    if (this.killed) return Promise.reject(new ProcessKilled());
    const accepted = new Set<Socket>();
    this.servers.set(server, accepted);
    server.on('connection', (s: Socket) => {
      if (this.killed) {
        s.destroy();
        return;
      }
      accepted.add(s);
      s.once('close', () => accepted.delete(s));
      s.on('error', () => undefined);
    });
    this.pendingListens++;
    return new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        this.servers.delete(server);
        reject(e);
      };
      server.once('error', onError);
      server.listen({ host: this.identity.bindAddress, port, exclusive: true }, () => {
        server.off('error', onError);
        // Later errors (a socket's) must not crash the node process.
        server.on('error', () => undefined);
        resolve();
      });
    }).finally(() => this.pendingListens--);
  }

  /**
   * Resolves once no listen() is in flight across a turn of the event loop: a program that
   * binds its ports as it starts has them bound by then (or has failed to).
   */
  async listensSettled(): Promise<void> {
    for (let turns = 0; turns < 1000; turns++) {
      await new Promise((r) => setImmediate(r));
      if (this.pendingListens === 0) return;
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Stops listening and drops its connections. */
  async closeServer(server: Server): Promise<void> {
    const accepted = this.servers.get(server) ?? new Set<Socket>();
    this.servers.delete(server);
    await closeServer(server, accepted);
  }

  /** Client sockets: destroyed when the container dies. */
  track(socket: Duplex): void {
    if (this.killed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  /** Kills every program and closes every socket; resolves once the ports are free. */
  async teardown(): Promise<void> {
    if (!this.killed) this.abort.abort();
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all(servers.map(([server, accepted]) => closeServer(server, accepted)));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

function closeServer(server: Server, accepted: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    for (const s of accepted) s.destroy();
    accepted.clear();
  });
}

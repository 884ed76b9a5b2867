// The routing mesh on one node (libnetwork's ingress load balancer): the node listens on every port
// a service publishes in ingress mode, on its own address, whether or not it runs a task of that
// service, and hands each connection to the next of the service's running tasks in turn (IPVS's
// default round robin). A task on this node is reached directly; one on another node through the
// data path (transport/tunnel.ts: mTLS through the NIC, so faults between the two nodes apply), where
// that node's mesh connects it to its container (serveTunnel).

import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Log } from '../../log.js';
import { connectLocal } from '../local-connect.js';
import type { IngressBackend, IngressPort, IngressService } from '../../manager/dispatcher/ingress-table.js';

export interface RoutingMeshOptions {
  nodeId: () => string;
  /** This node's address: the published ports are bound on it. */
  nodeAddr: string;
  /** Holds the user's connections while `partition --include-api` cuts the user from this node. */
  gate?: { attach(server: net.Server): void };
  /** The container address of a task running on this node, if it runs here. */
  localContainer: (taskId: string) => string | undefined;
  /** Opens the data path to a task on another node, asking for its target port. */
  openDataPath: (backend: IngressBackend, targetPort: number) => Promise<Duplex>;
  log: Log;
}

interface PublishedPort {
  server: net.Server;
  port: IngressPort;
  service: IngressService;
  /** Round-robin position. */
  next: number;
}

/**
 * Pipes two streams into each other. A side that closes ends the other gracefully, so that what
 * is still on its way (a response written just before a close) is delivered; a failure on either
 * side destroys both.
 */
function splice(a: Duplex, b: Duplex): void {
  const fail = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', fail);
  b.on('error', fail);
  a.on('close', () => b.end());
  b.on('close', () => a.end());
  a.pipe(b);
  b.pipe(a);
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}

export class RoutingMesh {
  private readonly published = new Map<number, PublishedPort>();
  private readonly connections = new Set<Duplex>();
  private closed = false;

  constructor(private readonly o: RoutingMeshOptions) {}

  /**
   * Installs the table the leader sent: opens newly published ports, closes withdrawn ones.
   * Resolves when the new ports listen (or failed to, which is logged).
   */
  async update(services: IngressService[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Map<number, { service: IngressService; port: IngressPort }>();
    for (const service of services) for (const port of service.ports) wanted.set(port.publishedPort, { service, port });
    for (const [number, entry] of this.published) {
      if (wanted.has(number)) continue;
      this.published.delete(number);
      entry.server.close();
    }
    const listening: Promise<void>[] = [];
    for (const [number, { service, port }] of wanted) {
      const entry = this.published.get(number);
      if (entry) {
        entry.service = service;
        entry.port = port;
      } else {
        listening.push(this.listen(number, service, port));
      }
    }
    await Promise.all(listening);
  }

  /** The ports this node listens on for the mesh (tests, diagnostics). */
  ports(): number[] {
    return [...this.published.keys()].sort((a, b) => a - b);
  }

  private listen(number: number, service: IngressService, port: IngressPort): Promise<void> {
    const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => this.accept(number, client));
    this.o.gate?.attach(server);
    const entry: PublishedPort = { server, service, port, next: 0 };
    this.published.set(number, entry);
    return new Promise((resolve) => {
      server.once('listening', resolve);
      // The next table tries again (e.g. a port held by a mode=host task until it stops).
      server.on('error', (e) => {
        this.o.log('warn', 'routing mesh: cannot listen on a published port', { port: number, service: service.serviceName, err: String(e) });
        if (this.published.get(number) === entry) this.published.delete(number);
        resolve();
      });
      server.listen({ host: this.o.nodeAddr, port: number, exclusive: true });
    });
  }

  private accept(number: number, client: net.Socket): void {
    const entry = this.published.get(number);
    const backends = entry?.service.backends ?? [];
    if (!entry || backends.length === 0 || this.closed) {
      client.destroy();
      return;
    }
    const backend = backends[entry.next++ % backends.length];
    // The user may reset the connection while its backend is being reached.
    client.on('error', () => client.destroy());
    this.track(client);
    this.connectTask(backend, entry.port.targetPort).then(
      (stream) => {
        if (client.destroyed) return void stream.destroy();
        this.track(stream);
        splice(client, stream);
      },
      (e) => {
        this.o.log('info', 'routing mesh: backend unreachable', { port: number, task: backend.taskId, node: backend.nodeId, err: String(e) });
        client.destroy();
      },
    );
  }

  /** A connection to a task's port: directly when it runs here, else over the data path to its node. */
  connectTask(backend: IngressBackend, port: number): Promise<Duplex> {
    return backend.nodeId === this.o.nodeId() ? this.connectContainer(backend.taskId, port) : this.o.openDataPath(backend, port);
  }

  private connectContainer(taskId: string, port: number): Promise<net.Socket> {
    const address = this.o.localContainer(taskId);
    if (!address) return Promise.reject(new Error(`task ${taskId} does not run on this node`));
    return connectLocal(address, port);
  }

  /**
   * The far end of the data path: another node's mesh asks for one of our tasks' target ports.
   * Only a task running here is reachable, and only on the port its header names.
   */
  serveTunnel(header: Record<string, unknown>, stream: Duplex): void {
    const { task, port } = header;
    stream.on('error', () => stream.destroy());
    if (this.closed || typeof task !== 'string' || !isPort(port)) return void stream.destroy();
    this.track(stream);
    this.connectContainer(task, port).then(
      (container) => {
        if (stream.destroyed) return void container.destroy();
        this.track(container);
        splice(stream, container);
      },
      () => stream.destroy(),
    );
  }

  private track(stream: Duplex): void {
    this.connections.add(stream);
    stream.once('close', () => this.connections.delete(stream));
  }

  /** Stops listening and ends every forwarded connection (the node leaves the swarm or stops). */
  async close(): Promise<void> {
    this.closed = true;
    const servers = [...this.published.values()].map((e) => e.server);
    this.published.clear();
    for (const c of this.connections) c.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

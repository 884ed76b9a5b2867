// This node's part of the swarm's networks (libnetwork's, on a real node): the routing mesh on
// the published ports, service discovery and VIP balancing for its containers, and the data path
// (transport/tunnel.ts) that carries both to tasks on other nodes. All follow the tables the
// leader's dispatcher sends through the session.

import type { Duplex } from 'node:stream';
import { TunnelClient, TunnelServer, type Nic, type SecurityConfig } from '@swarmlab/transport';
import type { Log } from '../log.js';
import type { NetworkUpdate } from '../manager/dispatcher/dispatcher.js';
import type { NetworkAddress } from '../manager/dispatcher/service-records.js';
import { ServiceDiscovery } from './dns/service-discovery.js';
import { RoutingMesh } from './ingress/routing-mesh.js';

export interface NodeNetworkOptions {
  nic: Nic;
  security: SecurityConfig;
  nodeId: () => string;
  nodeAddr: string;
  /** Holds the user's connections while `partition --include-api` cuts the user from this node. */
  gate: { attach(server: import('node:net').Server): void };
  /** The address of a task's container while it runs on this node. */
  localContainer: (taskId: string) => string | undefined;
  log: Log;
}

function refused(code: 'ENETUNREACH' | 'ECONNREFUSED', message: string): Promise<never> {
  return Promise.reject(Object.assign(new Error(`connect ${code} ${message}`), { code }));
}

export class NodeNetwork {
  private readonly mesh: RoutingMesh;
  private readonly discovery = new ServiceDiscovery();
  private dataPath: TunnelServer | undefined;
  private readonly tunnels: TunnelClient;
  /** The swarm's data path port, as the leader's first table names it (the mesh routes nothing before). */
  private dataPathPort: number | undefined;
  private closed = false;

  constructor(private readonly o: NodeNetworkOptions) {
    this.tunnels = new TunnelClient({ nic: o.nic, security: o.security });
    this.mesh = new RoutingMesh({
      nodeId: o.nodeId,
      nodeAddr: o.nodeAddr,
      gate: o.gate,
      localContainer: o.localContainer,
      openDataPath: (backend, targetPort) =>
        this.dataPathPort === undefined
          ? Promise.reject(new Error('the data path port is not known yet'))
          : this.tunnels.open(backend.addr, this.dataPathPort, { task: backend.taskId, port: targetPort }),
      log: o.log,
    });
  }

  /** Follows the leader's tables; the data path opens on the port they name. */
  update(update: NetworkUpdate): void {
    if (this.closed) return;
    void this.mesh.update(update.ingress);
    this.discovery.update(update.records);
    this.dataPathPort = update.dataPathPort;
    if (this.dataPath) return;
    const server = new TunnelServer({ nic: this.o.nic, port: update.dataPathPort, security: this.o.security, onTunnel: (header, stream) => this.mesh.serveTunnel(header, stream) });
    this.dataPath = server;
    server.listen().catch((e) => {
      this.o.log('warn', 'data path: cannot listen', { port: update.dataPathPort, err: String(e) });
      if (this.dataPath === server) this.dataPath = undefined;
    });
  }

  /** Every address a name stands for, seen from a container with addresses `own` (DNS's answer). */
  lookup(name: string, own: NetworkAddress[]): string[] {
    return this.discovery.lookup(name, own);
  }

  /** A container's connection to an overlay address: a service's VIP (balanced over its tasks) or a task's address. */
  connect(address: string, port: number, own: NetworkAddress[]): Promise<Duplex> {
    const route = this.discovery.route(address, own);
    if (!route) return refused('ENETUNREACH', address);
    if (!route.task) return refused('ECONNREFUSED', `${address}:${port}`);
    return this.mesh.connectTask(route.task, port);
  }

  async close(): Promise<void> {
    this.closed = true;
    const dataPath = this.dataPath;
    this.dataPath = undefined;
    this.tunnels.close();
    await Promise.all([this.mesh.close(), dataPath?.close()]);
  }
}

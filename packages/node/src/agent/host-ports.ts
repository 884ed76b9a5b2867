// Ports published in `host` mode (docker service create --publish mode=host,…): the node itself
// listens on the published port of its own address and hands each connection to the task's
// container, as docker-proxy does. A published port of 0 gets one the kernel picks. Ingress-mode
// ports are the routing mesh's business, not the task's.

import { createServer, connect, type Server, type Socket } from 'node:net';

export interface HostPort {
  targetPort: number;
  publishedPort: number;
  protocol: 'tcp' | 'udp';
}

export class HostPortError extends Error {}

export class HostPorts {
  private servers: Server[] = [];
  private sockets = new Set<Socket>();

  /** Binds every tcp port (udp is not proxied); refuses, having bound nothing, when one is taken. */
  static async bind(nodeAddr: string, containerAddr: string, ports: HostPort[]): Promise<{ proxy: HostPorts; bound: HostPort[] }> {
    const proxy = new HostPorts();
    const bound: HostPort[] = [];
    try {
      for (const p of ports) {
        if (p.protocol !== 'tcp') continue;
        const port = await proxy.listen(nodeAddr, p.publishedPort, containerAddr, p.targetPort);
        bound.push({ ...p, publishedPort: port });
      }
    } catch (e) {
      proxy.close();
      throw e;
    }
    return { proxy, bound };
  }

  private listen(nodeAddr: string, published: number, containerAddr: string, target: number): Promise<number> {
    const server = createServer((inbound) => {
      const outbound = connect({ host: containerAddr, port: target });
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new HostPortError(`Bind for ${nodeAddr}:${published} failed: port is already allocated`) : e),
      );
      server.listen(published, nodeAddr, () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : published);
      });
    });
  }

  close(): void {
    for (const s of this.servers) s.close();
    for (const s of this.sockets) s.destroy();
    this.servers = [];
    this.sockets.clear();
  }
}

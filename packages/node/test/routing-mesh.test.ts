// The routing mesh of two nodes, A and B, in one process: "containers" are TCP servers on their
// own loopback addresses that answer with their name; A reaches B's tasks through a stand-in for
// the data path that hands the connection to B's mesh as the tunnel server would.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RoutingMesh } from '../src/agent/ingress/routing-mesh.js';
import { ApiGate } from '../src/engine/api-gate.js';
import type { IngressService } from '../src/manager/dispatcher/ingress-table.js';

const A = '127.0.77.1';
const B = '127.0.77.2';
const PORT = 18181;
const containers: Record<string, string> = { ta1: '127.0.78.1', ta2: '127.0.78.2', tb1: '127.0.78.3' };

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A container program: answers every connection with its task's name and closes. */
async function container(taskId: string): Promise<void> {
  const server = net.createServer((socket) => socket.end(taskId));
  await new Promise<void>((resolve) => server.listen(80, containers[taskId], resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
}

function mesh(nodeId: string, addr: string, running: string[], peer?: () => RoutingMesh): RoutingMesh {
  const m = new RoutingMesh({
    nodeId: () => nodeId,
    nodeAddr: addr,
    localContainer: (taskId) => (running.includes(taskId) ? containers[taskId] : undefined),
    // The data path: a fresh socket pair whose far end goes to the peer's mesh with the header.
    openDataPath: async (backend, targetPort) => {
      const relay = net.createServer((far) => {
        far.pause();
        peer!().serveTunnel({ task: backend.taskId, port: targetPort }, far);
      });
      await new Promise<void>((resolve) => relay.listen(0, addr, resolve));
      closers.push(() => new Promise((resolve) => relay.close(resolve)));
      const near = net.connect((relay.address() as net.AddressInfo).port, addr);
      await new Promise((resolve) => near.once('connect', resolve));
      return near;
    },
    log: () => undefined,
  });
  closers.push(() => m.close());
  return m;
}

function ask(addr: string, port = PORT): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, addr);
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const service = (backends: IngressService['backends']): IngressService[] => [
  { serviceId: 's1', serviceName: 'web', ports: [{ publishedPort: PORT, targetPort: 80 }], backends },
];

const backends = [
  { taskId: 'ta1', nodeId: 'A', addr: A },
  { taskId: 'ta2', nodeId: 'A', addr: A },
  { taskId: 'tb1', nodeId: 'B', addr: B },
];

describe('the routing mesh', () => {
  it('hands connections to every task in turn, on this node and through the data path on another', async () => {
    await Promise.all(Object.keys(containers).map(container));
    let b: RoutingMesh | undefined;
    const a = mesh('A', A, ['ta1', 'ta2'], () => b!);
    b = mesh('B', B, ['tb1'], () => a);
    await Promise.all([a.update(service(backends)), b.update(service(backends))]);
    expect(a.ports()).toEqual([PORT]);
    const throughA = [];
    for (let i = 0; i < 6; i++) throughA.push(await ask(A));
    expect(throughA).toEqual(['ta1', 'ta2', 'tb1', 'ta1', 'ta2', 'tb1']);
    // B listens too and reaches A's tasks.
    expect(new Set([await ask(B), await ask(B), await ask(B)])).toEqual(new Set(['ta1', 'ta2', 'tb1']));
  });

  it('refuses through the data path what does not run on its node, or a port that is no port', async () => {
    await container('tb1');
    const b = mesh('B', B, ['tb1']);
    const tried = async (header: Record<string, unknown>) => {
      const server = net.createServer((far) => b.serveTunnel(header, far));
      await new Promise<void>((resolve) => server.listen(0, B, resolve));
      closers.push(() => new Promise((resolve) => server.close(resolve)));
      return ask(B, (server.address() as net.AddressInfo).port);
    };
    expect(await tried({ task: 'tb1', port: 80 })).toBe('tb1');
    expect(await tried({ task: 'ta1', port: 80 })).toBe('');
    expect(await tried({ task: 'tb1', port: 70000 })).toBe('');
    expect(await tried({ task: ['tb1'], port: 80 })).toBe('');
  });

  it('holds what the user sends while the gate of `partition --include-api` is closed, and delivers it once open', async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(80, '127.0.78.9', resolve));
    closers.push(() => new Promise((resolve) => echo.close(resolve)));
    const gate = new ApiGate();
    const m = new RoutingMesh({
      nodeId: () => 'A',
      nodeAddr: A,
      gate,
      localContainer: (taskId) => (taskId === 'te' ? '127.0.78.9' : undefined),
      openDataPath: () => Promise.reject(new Error('no data path in this test')),
      log: () => undefined,
    });
    closers.push(() => m.close());
    await m.update(service([{ taskId: 'te', nodeId: 'A', addr: A }]));
    gate.set(true);
    const socket = net.connect(PORT, A);
    let received = '';
    socket.on('data', (d) => (received += d));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('ping');
    // Nothing comes back while the gate is closed (an open one echoes within a millisecond here).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toBe('');
    gate.set(false);
    while (received !== 'ping') await new Promise((resolve) => setTimeout(resolve, 5));
    socket.destroy();
  });

  it('closes a connection when the service has no running task, and stops listening when the port is withdrawn', async () => {
    const a = mesh('A', A, []);
    await a.update(service([]));
    expect(await ask(A)).toBe('');
    await a.update([]);
    expect(a.ports()).toEqual([]);
    await expect(ask(A)).rejects.toThrow(/ECONNREFUSED/);
  });
});

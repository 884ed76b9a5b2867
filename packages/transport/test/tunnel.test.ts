import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { Nic } from '../src/nic.js';
import { SecurityConfig } from '../src/tls/security-config.js';
import { MAX_TUNNEL_HEADER_BYTES, TunnelServer, openTunnel, type TunnelRefusal } from '../src/tunnel.js';
import type { PeerIdentity } from '../src/tls/identity.js';
import { createTestCluster, waitFor, type NodeCredentials, type TestCluster } from './helpers.js';

const SERVER_ADDRESS = '127.0.11.1';
const CLIENT_ADDRESS = '127.0.11.2';

let cluster: TestCluster;
let otherCluster: TestCluster;
let worker1: NodeCredentials;
let worker2: NodeCredentials;
let foreign: NodeCredentials;

const closing: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

beforeAll(async () => {
  [cluster, otherCluster] = await Promise.all([createTestCluster(), createTestCluster()]);
  [worker1, worker2] = await Promise.all([cluster.issue('worker'), cluster.issue('worker')]);
  foreign = await otherCluster.issue('worker', { clusterId: otherCluster.clusterId });
});

function security(c: TestCluster, creds?: NodeCredentials, denyList: string[] = []): SecurityConfig {
  return new SecurityConfig({ certPem: creds?.certPem, keyPem: creds?.keyPem, roots: [c.ca.certPem], clusterId: c.clusterId, denyList });
}

/** A tunnel server that echoes each tunnel's bytes back, prefixed by its header's `tag`. */
async function echoServer(serverSecurity: SecurityConfig) {
  const nic = new Nic({ address: SERVER_ADDRESS });
  const tunnels: { header: Record<string, unknown>; peer: PeerIdentity }[] = [];
  const refused: TunnelRefusal[] = [];
  const server = new TunnelServer({
    nic,
    port: 0,
    security: serverSecurity,
    onTunnel: (header, stream, peer) => {
      tunnels.push({ header, peer });
      stream.on('error', () => undefined);
      stream.on('data', (chunk: Buffer) => stream.write(`${String(header.tag)}:${chunk.toString()}`));
      stream.resume();
    },
  });
  server.on('refused', (r) => refused.push(r));
  const port = await server.listen();
  closing.push(nic, server);
  return { port, tunnels, refused, nic };
}

function clientNic(): Nic {
  const nic = new Nic({ address: CLIENT_ADDRESS });
  closing.push(nic);
  return nic;
}

function firstReply(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    stream.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    stream.once('error', reject);
  });
}

describe('data path tunnels', () => {
  it('carries bytes both ways between two nodes of the swarm and tells the server who opened it', async () => {
    const server = await echoServer(security(cluster, worker1));
    const stream = await openTunnel({ nic: clientNic(), security: security(cluster, worker2), host: SERVER_ADDRESS, port: server.port, header: { tag: 'a' } });
    stream.write('hello');
    expect(await firstReply(stream)).toBe('a:hello');
    expect(server.tunnels).toEqual([{ header: { tag: 'a' }, peer: expect.objectContaining({ nodeId: worker2.nodeId, role: 'worker' }) }]);
    stream.destroy();
  });

  it('bytes sent right behind the header reach the handler too', async () => {
    const server = await echoServer(security(cluster, worker1));
    const stream = await openTunnel({ nic: clientNic(), security: security(cluster, worker2), host: SERVER_ADDRESS, port: server.port, header: { tag: 'b' } });
    const reply = firstReply(stream);
    stream.write('x');
    expect(await reply).toBe('b:x');
    stream.destroy();
  });

  it('refuses a peer without a certificate, of another swarm, or removed, and opens nothing for them', async () => {
    const server = await echoServer(security(cluster, worker1, [worker2.nodeId]));
    // Removed (deny-listed on the server).
    const removed = await openTunnel({ nic: clientNic(), security: security(cluster, worker2), host: SERVER_ADDRESS, port: server.port, header: { tag: 'r' } });
    removed.on('error', () => undefined);
    await new Promise((resolve) => removed.once('close', resolve));
    // Another swarm's certificate: each side refuses the other.
    await expect(openTunnel({ nic: clientNic(), security: security(otherCluster, foreign), host: SERVER_ADDRESS, port: server.port, header: { tag: 'f' } })).rejects.toThrow(/refused/);
    // No certificate at all, with a raw TLS client that skips the checks.
    const nic = clientNic();
    const raw = await nic.connect(SERVER_ADDRESS, server.port);
    const anonymous = tls.connect({ socket: raw, rejectUnauthorized: false });
    anonymous.on('error', () => undefined);
    anonymous.write('{"tag":"n"}\n');
    await new Promise((resolve) => anonymous.once('close', resolve));
    await waitFor(() => server.refused.length === 3, 'three refusals');
    expect(server.refused.map((r) => r.kind).sort()).toEqual(['no-certificate', 'removed-node', 'untrusted']);
    expect(server.tunnels).toEqual([]);
  });

  it('refuses a header that is not a JSON object or is too long, and the server keeps serving', async () => {
    const server = await echoServer(security(cluster, worker1));
    for (const bad of ['not json\n', '[1,2]\n', `${'x'.repeat(MAX_TUNNEL_HEADER_BYTES + 10)}`]) {
      const nic = clientNic();
      const raw = await nic.connect(SERVER_ADDRESS, server.port);
      const s = security(cluster, worker2);
      const socket = tls.connect({ socket: raw, secureContext: s.secureContext(), rejectUnauthorized: false });
      socket.on('error', () => undefined);
      socket.write(bad);
      await new Promise((resolve) => socket.once('close', resolve));
    }
    expect(server.refused.map((r) => r.kind)).toEqual(['bad-header', 'bad-header', 'bad-header']);
    const stream = await openTunnel({ nic: clientNic(), security: security(cluster, worker2), host: SERVER_ADDRESS, port: server.port, header: { tag: 'ok' } });
    stream.write('still');
    expect(await firstReply(stream)).toBe('ok:still');
    stream.destroy();
  });

  it('a NIC block between the two nodes keeps a tunnel from opening', async () => {
    const server = await echoServer(security(cluster, worker1));
    const nic = clientNic();
    nic.setRules({ peers: { [SERVER_ADDRESS]: { block: 'both' } } });
    await expect(openTunnel({ nic, security: security(cluster, worker2), host: SERVER_ADDRESS, port: server.port, header: {}, connectTimeoutMs: 200 })).rejects.toThrow();
    expect(server.tunnels).toEqual([]);
  });
});

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { Nic } from '../src/nic.js';
import { SecurityConfig } from '../src/tls/security-config.js';
import { MAX_TUNNEL_HEADER_BYTES, TunnelClient, TunnelServer, type TunnelRefusal } from '../src/tunnel.js';
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

function client(creds: NodeCredentials, c: TestCluster = cluster, rules?: unknown): { tunnels: TunnelClient; nic: Nic } {
  const nic = new Nic({ address: CLIENT_ADDRESS });
  if (rules) nic.setRules(rules);
  const tunnels = new TunnelClient({ nic, security: security(c, creds), connectTimeoutMs: 200 });
  closing.push(nic, { close: () => tunnels.close() });
  return { tunnels, nic };
}

function firstReply(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    stream.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    stream.once('error', reject);
  });
}

describe('data path tunnels', () => {
  it('carry bytes both ways between two nodes of the swarm and tell the server who opened them', async () => {
    const server = await echoServer(security(cluster, worker1));
    const { tunnels } = client(worker2);
    const stream = await tunnels.open(SERVER_ADDRESS, server.port, { tag: 'a' });
    stream.write('hello');
    expect(await firstReply(stream)).toBe('a:hello');
    expect(server.tunnels).toEqual([{ header: { tag: 'a' }, peer: expect.objectContaining({ nodeId: worker2.nodeId, role: 'worker' }) }]);
    stream.destroy();
  });

  it('share one authenticated connection per node, a stream per tunnel', async () => {
    const server = await echoServer(security(cluster, worker1));
    const { tunnels, nic } = client(worker2);
    const streams = await Promise.all(['x', 'y', 'z'].map((tag) => tunnels.open(SERVER_ADDRESS, server.port, { tag })));
    const replies = await Promise.all(
      streams.map((stream, i) => {
        const reply = firstReply(stream);
        stream.write(String(i));
        return reply;
      }),
    );
    expect(replies).toEqual(['x:0', 'y:1', 'z:2']);
    expect(nic.stats()[SERVER_ADDRESS]!.connections).toBe(1);
    for (const stream of streams) stream.destroy();
  });

  it('refuse a peer without a certificate, of another swarm, or removed, and open nothing for them', async () => {
    const server = await echoServer(security(cluster, worker1, [worker2.nodeId]));
    // Removed (deny-listed on the server): the connection is closed before any stream.
    await expect(client(worker2).tunnels.open(SERVER_ADDRESS, server.port, { tag: 'r' })).rejects.toThrow();
    // Another swarm's certificate: each side refuses the other.
    await expect(client(foreign, otherCluster).tunnels.open(SERVER_ADDRESS, server.port, { tag: 'f' })).rejects.toThrow(/refused/);
    // No certificate at all, with a raw TLS client that skips the checks.
    const nic = new Nic({ address: CLIENT_ADDRESS });
    closing.push(nic);
    const raw = await nic.connect(SERVER_ADDRESS, server.port);
    const anonymous = tls.connect({ socket: raw, rejectUnauthorized: false });
    anonymous.on('error', () => undefined);
    await new Promise((resolve) => anonymous.once('close', resolve));
    await waitFor(() => server.refused.length === 3, 'three refusals');
    expect(server.refused.map((r) => r.kind).sort()).toEqual(['no-certificate', 'removed-node', 'untrusted']);
    expect(server.tunnels).toEqual([]);
  });

  it('refuse the streams of a node removed after its connection was made', async () => {
    const serverSecurity = security(cluster, worker1);
    const server = await echoServer(serverSecurity);
    const { tunnels } = client(worker2);
    (await tunnels.open(SERVER_ADDRESS, server.port, { tag: 'before' })).destroy();
    serverSecurity.setDenyList([worker2.nodeId]);
    await expect(tunnels.open(SERVER_ADDRESS, server.port, { tag: 'after' })).rejects.toThrow();
    expect(server.tunnels.map((t) => t.header.tag)).toEqual(['before']);
    expect(server.refused.map((r) => r.kind)).toEqual(['removed-node']);
  });

  it('open no more tunnels to a node removed after the connection to it was made', async () => {
    const server = await echoServer(security(cluster, worker1));
    const nic = new Nic({ address: CLIENT_ADDRESS });
    const clientSecurity = security(cluster, worker2);
    const tunnels = new TunnelClient({ nic, security: clientSecurity });
    closing.push(nic, { close: () => tunnels.close() });
    (await tunnels.open(SERVER_ADDRESS, server.port, { tag: 'before' })).destroy();
    clientSecurity.setDenyList([worker1.nodeId]);
    await expect(tunnels.open(SERVER_ADDRESS, server.port, { tag: 'after' })).rejects.toThrow(/was removed from swarm/);
    expect(server.tunnels.map((t) => t.header.tag)).toEqual(['before']);
  });

  it('refuse a stream whose header is not a JSON object, and keep serving the connection', async () => {
    const server = await echoServer(security(cluster, worker1));
    const { tunnels } = client(worker2);
    const good = await tunnels.open(SERVER_ADDRESS, server.port, { tag: 'ok' });
    // The same connection, streams with headers the opener would never send.
    const { session } = await (tunnels as unknown as { session(h: string, p: number): Promise<{ session: import('node:http2').ClientHttp2Session }> }).session(SERVER_ADDRESS, server.port);
    for (const bad of ['not json', '[1,2]', 'x'.repeat(MAX_TUNNEL_HEADER_BYTES + 10)]) {
      const stream = session.request({ ':method': 'CONNECT', ':authority': `${SERVER_ADDRESS}:${server.port}`, 'swarmlab-tunnel': bad });
      const status = await new Promise((resolve) => stream.once('response', (h) => resolve(h[':status'])));
      expect(status).toBe(400);
      stream.destroy();
    }
    expect(server.refused.map((r) => r.kind)).toEqual(['bad-header', 'bad-header', 'bad-header']);
    good.write('still');
    expect(await firstReply(good)).toBe('ok:still');
    good.destroy();
  });

  it('a NIC block between the two nodes keeps a tunnel from opening', async () => {
    const server = await echoServer(security(cluster, worker1));
    const { tunnels } = client(worker2, cluster, { peers: { [SERVER_ADDRESS]: { block: 'both' } } });
    await expect(tunnels.open(SERVER_ADDRESS, server.port, {})).rejects.toThrow();
    expect(server.tunnels).toEqual([]);
  });
});

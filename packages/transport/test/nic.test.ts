import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { Nic } from '../src/nic.js';
import { NicRuleError, parseNicRules, resolveFlowPolicy } from '../src/nic/rules.js';
import { RATE_QUEUE_PACKETS } from '../src/nic/datagram-shaper.js';
import { TransportServer } from '../src/server.js';
import { dial } from '../src/dialer.js';
import { PeerLink, backoffDelay } from '../src/peer-link.js';
import { SecurityConfig } from '../src/tls/security-config.js';
import type { Link, LinkOptions } from '../src/link.js';
import { createTestCluster, seededRandom, waitFor, type NodeCredentials, type TestCluster } from './helpers.js';

const A = '127.0.20.1'; // server
const B = '127.0.20.2'; // client

let cluster: TestCluster;
let manager: NodeCredentials;
let worker: NodeCredentials;
beforeAll(async () => {
  cluster = await createTestCluster();
  [manager, worker] = await Promise.all([cluster.issue('manager'), cluster.issue('worker')]);
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A manager at A serving echo/sink, a worker NIC at B; each test dials and shapes as it needs. */
async function setup(linkOptions: LinkOptions = {}) {
  const serverNic = new Nic({ address: A, random: seededRandom(1) });
  const clientNic = new Nic({ address: B, random: seededRandom(2) });
  const inbox: unknown[] = [];
  const serverLinks: Link[] = [];
  const server = new TransportServer({
    nic: serverNic,
    port: 0,
    security: new SecurityConfig({ certPem: manager.certPem, keyPem: manager.keyPem, roots: [cluster.ca.certPem] }),
    services: {
      echo: { methods: { echo: (body) => body } },
      sink: { onMessage: (body) => inbox.push(body) },
    },
    link: linkOptions,
  });
  server.on('link', (link) => serverLinks.push(link));
  const port = await server.listen();
  const clientInbox: unknown[] = [];
  const clientSecurity = new SecurityConfig({ certPem: worker.certPem, keyPem: worker.keyPem, roots: [cluster.ca.certPem] });
  const connect = async (options: { connectTimeoutMs?: number; handshakeTimeoutMs?: number } = {}) => {
    const link = await dial({
      nic: clientNic,
      host: A,
      port,
      security: clientSecurity,
      services: { sink: { onMessage: (body) => clientInbox.push(body) } },
      link: linkOptions,
      ...options,
    });
    cleanups.push(() => link.destroy('test over'));
    return link;
  };
  cleanups.push(() => clientNic.close(), () => serverNic.close(), () => server.close());
  return { serverNic, clientNic, server, port, inbox, clientInbox, serverLinks, connect, clientSecurity };
}

describe('NIC rules as data', () => {
  it('validates rules and keeps the previous ones on bad input', () => {
    const nic = new Nic({ address: '127.0.20.9', rules: { peers: { '127.0.0.5': { block: 'both' } } } });
    expect(() => nic.setRules({ peers: { 'manager1': { block: 'both' } } })).toThrowError(NicRuleError);
    expect(() => nic.setRules({ all: { loss: 2 } })).toThrowError('all.loss must be a number from 0 to 1');
    expect(() => nic.setRules({ all: { block: 'sideways' } })).toThrowError('all.block must be "inbound", "outbound" or "both"');
    expect(() => nic.setRules({ everyone: {} })).toThrowError(/unknown NIC rules field "everyone"/);
    expect(() => nic.setRules({ blockApi: 'yes' })).toThrowError('"blockApi" must be true or false');
    expect(nic.rules()).toEqual({ peers: { '127.0.0.5': { block: 'both' } } });
    nic.setRules({ blockApi: true });
    expect(nic.rules()).toEqual({ blockApi: true });
    nic.setRules({ blockApi: false });
    expect(nic.rules()).toEqual({});
    // JSON round trip: the launcher sends them over its control channel.
    nic.setRules(JSON.parse(JSON.stringify({ all: { delayMs: 5, direction: 'both' } })));
    expect(nic.rules()).toEqual({ all: { delayMs: 5, direction: 'both' } });
    nic.clear();
    expect(nic.rules()).toEqual({});
  });

  it('resolves per-peer rules before the catch-all, and shaping defaults to the outbound side', () => {
    const rules = parseNicRules({ peers: { '127.0.0.2': { delayMs: 50 } }, all: { block: 'inbound' } });
    expect(resolveFlowPolicy(rules, '127.0.0.2', 'outbound')).toMatchObject({ delayMs: 50, blocked: false });
    expect(resolveFlowPolicy(rules, '127.0.0.2', 'inbound')).toBeNull();
    expect(resolveFlowPolicy(rules, '127.0.0.3', 'inbound')).toMatchObject({ blocked: true });
    expect(resolveFlowPolicy(rules, '127.0.0.3', 'outbound')).toBeNull();
  });
});

describe('NIC rules on a real mTLS link', () => {
  it('one-way block: B→A is held while A→B still flows; lifting it delivers in order', async () => {
    const { clientNic, connect, inbox, clientInbox, serverLinks } = await setup({ idleTimeoutMs: 60_000 });
    const link = await connect();
    link.send('sink', 'before');
    await waitFor(() => inbox.length === 1 && serverLinks.length === 1, 'first message');

    clientNic.setRules({ peers: { [A]: { block: 'outbound' } } });
    for (let i = 0; i < 5; i++) link.send('sink', `held-${i}`);
    serverLinks[0].send('sink', 'A to B still flows');
    await waitFor(() => clientInbox.length === 1, 'A→B message');
    expect(clientInbox).toEqual(['A to B still flows']);
    await waitFor(() => clientNic.stats()[A].heldBytesOut > 0, 'bytes held by the block');
    expect(inbox).toEqual(['before']);

    clientNic.clear();
    await waitFor(() => inbox.length === 6, 'held messages');
    expect(inbox).toEqual(['before', 'held-0', 'held-1', 'held-2', 'held-3', 'held-4']);
    expect(clientNic.stats()[A].heldBytesOut).toBe(0);
  });

  it('a blocked peer is noticed by the link keepalive, which closes the link', async () => {
    const { clientNic, connect, serverLinks } = await setup({ keepaliveIntervalMs: 20, idleTimeoutMs: 150 });
    const link = await connect();
    await waitFor(() => serverLinks.length === 1, 'server link');
    clientNic.setRules({ peers: { [A]: { block: 'both' } } });
    await waitFor(() => link.closed && serverLinks[0].closed, 'both ends to give up');
    expect(link.closeReason).toMatch(/keepalive timeout/);
  });

  it('inbound block on the server: a new connection from the peer hangs in its handshake', async () => {
    const { serverNic, connect } = await setup();
    serverNic.setRules({ peers: { [B]: { block: 'inbound' } } });
    await expect(connect({ handshakeTimeoutMs: 200 })).rejects.toMatchObject({
      code: 'Unavailable',
      message: 'connection error: desc = "transport: authentication handshake failed: TLS handshake timed out after 200 ms"',
    });
    serverNic.clear();
    const link = await connect();
    expect(await link.request('echo', 'echo', 'through')).toBe('through');
  });

  it('outbound block on the client: connect attempts stall and time out', async () => {
    const { clientNic, connect, port } = await setup();
    clientNic.setRules({ all: { block: 'both' } });
    await expect(connect({ connectTimeoutMs: 100 })).rejects.toMatchObject({
      code: 'Unavailable',
      message: `connection error: desc = "transport: Error while dialing dial tcp ${A}:${port}: i/o timeout"`,
    });
  });

  it('a connect stalled by a block completes once the block is lifted', async () => {
    const { clientNic, connect } = await setup();
    clientNic.setRules({ peers: { [A]: { block: 'outbound' } } });
    const pending = connect({ connectTimeoutMs: 10_000 });
    setTimeout(() => clientNic.clear(), 50);
    const link = await pending;
    expect(await link.request('echo', 'echo', 1)).toBe(1);
  });

  it('delay: a round trip takes at least the configured delay (both directions: twice)', async () => {
    const { clientNic, connect } = await setup();
    const link = await connect();
    await link.request('echo', 'echo', 'warm');
    clientNic.setRules({ peers: { [A]: { delayMs: 60, jitterMs: 10, direction: 'both' } } });
    const started = performance.now();
    expect(await link.request('echo', 'echo', 'slow')).toBe('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * (60 - 10));
  });

  it('loss on TCP stalls the stream for a retransmission timeout instead of dropping bytes', async () => {
    const { clientNic, connect } = await setup();
    const link = await connect();
    await link.request('echo', 'echo', 'warm');
    clientNic.setRules({ peers: { [A]: { loss: 1, retransmitMs: 80 } } });
    const started = performance.now();
    expect(await link.request('echo', 'echo', 'lossy')).toBe('lossy');
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
  });

  it('rate limit: a transfer takes at least (size − burst) / rate', async () => {
    const { clientNic, connect, inbox } = await setup();
    const link = await connect();
    const rate = 256 * 1024;
    const burst = 16 * 1024;
    clientNic.setRules({ peers: { [A]: { rateBytesPerSec: rate, burstBytes: burst } } });
    const chunk = Buffer.alloc(16 * 1024, 7);
    const total = 16;
    const started = performance.now();
    for (let i = 0; i < total; i++) link.send('sink', chunk);
    await waitFor(() => inbox.length === total, 'transfer', 10_000);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual((total * chunk.length - burst) / rate);
  });

  it('rate limit with back-pressure: the sender is held to bounded buffers and fails fast beyond them', async () => {
    const { clientNic, connect } = await setup({ maxQueuedBytes: 256 * 1024 });
    const link = await connect();
    clientNic.setRules({ peers: { [A]: { rateBytesPerSec: 32 * 1024 } } });
    const chunk = Buffer.alloc(32 * 1024);
    let failure: unknown;
    for (let i = 0; i < 200 && !failure; i++) {
      try {
        link.send('sink', chunk);
      } catch (error) {
        failure = error;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(failure).toMatchObject({ code: 'ResourceExhausted' });
    expect(clientNic.stats()[A].heldBytesOut).toBeLessThanOrEqual(clientNic.highWaterBytes + 64 * 1024);
  });

  it('reset destroys the connection once, and a PeerLink reconnects', async () => {
    const { clientNic, port, clientSecurity } = await setup();
    const peer = new PeerLink({
      nic: clientNic,
      host: A,
      port,
      security: clientSecurity,
      backoff: { initialMs: 10, maxMs: 50 },
      random: seededRandom(3),
    }).start();
    cleanups.push(() => peer.close());
    const ups: Link[] = [];
    const downs: string[] = [];
    peer.on('up', (link) => ups.push(link));
    peer.on('down', (reason) => downs.push(reason));
    await peer.waitForLink(5000);
    expect(await peer.request('echo', 'echo', 'first')).toBe('first');

    expect(clientNic.reset(A)).toBe(1);
    await waitFor(() => downs.length === 1 && ups.length === 2, 'reconnect');
    expect(ups[0].closed).toBe(true);
    expect(await peer.request('echo', 'echo', 'second', { waitForReady: true })).toBe('second');
    expect(clientNic.stats()[A].resets).toBe(1);
  });

  it('counts bytes and frames per peer on both NICs', async () => {
    const { clientNic, serverNic, connect } = await setup({ keepaliveIntervalMs: 0 });
    const link = await connect();
    for (let i = 0; i < 10; i++) await link.request('echo', 'echo', i);
    const client = clientNic.stats()[A];
    const server = serverNic.stats()[B];
    expect(client.framesOut).toBeGreaterThanOrEqual(10);
    expect(server.framesIn).toBe(client.framesOut);
    expect(client.bytesOut).toBeGreaterThan(0);
    expect(client.connections).toBe(1);
  });
});

describe('NIC rules on datagrams', () => {
  async function udpPair() {
    const nicA = new Nic({ address: '127.0.20.11', random: seededRandom(4) });
    const nicB = new Nic({ address: '127.0.20.12', random: seededRandom(5) });
    const [a, b] = await Promise.all([nicA.bindUdp(0), nicB.bindUdp(0)]);
    const received: string[] = [];
    b.on('message', (packet) => received.push(packet.toString()));
    cleanups.push(() => nicA.close(), () => nicB.close());
    const send = (text: string) => a.send(Buffer.from(text), b.port, '127.0.20.12');
    return { nicA, nicB, a, b, received, send };
  }

  it('delivers, blocks (dropping and counting), and delays datagrams', async () => {
    const { nicA, nicB, received, send } = await udpPair();
    send('one');
    await waitFor(() => received.length === 1, 'first datagram');

    nicB.setRules({ all: { block: 'inbound' } });
    send('blocked');
    await waitFor(() => nicB.stats()['127.0.20.11']?.dropsIn === 1, 'inbound drop');

    nicB.clear();
    nicA.setRules({ all: { loss: 1 } });
    send('lost');
    await waitFor(() => nicA.stats()['127.0.20.12']?.dropsOut === 1, 'outbound loss');

    nicA.setRules({ all: { delayMs: 50 } });
    const started = performance.now();
    send('late');
    await waitFor(() => received.length === 2, 'delayed datagram');
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect(received).toEqual(['one', 'late']);
    expect(nicA.stats()['127.0.20.12']).toMatchObject({ packetsOut: 3, dropsOut: 1 });
    expect(nicB.stats()['127.0.20.11']).toMatchObject({ packetsIn: 2, dropsIn: 1 });
  });

  it('rate-limits datagrams with a short queue and drops beyond it', async () => {
    const { nicA, received, send } = await udpPair();
    nicA.setRules({ all: { rateBytesPerSec: 2000, burstBytes: 1000 } });
    for (let i = 0; i < 100; i++) send('x'.repeat(500));
    // The burst lets a couple through at once, the queue takes its fill, the rest is dropped.
    const stats = nicA.stats()['127.0.20.12'];
    expect(stats.packetsOut).toBeGreaterThanOrEqual(2);
    expect(stats.dropsOut).toBe(100 - RATE_QUEUE_PACKETS - stats.packetsOut);
    await waitFor(() => received.length >= 3, 'queued datagrams to trickle out');
  });
});

describe('reconnect back-off', () => {
  it('grows exponentially to its ceiling with bounded jitter, reproducibly', () => {
    const options = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 };
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, () => 0.5));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    const low = backoffDelay(2, options, () => 0);
    const high = backoffDelay(2, options, () => 0.999999);
    expect(low).toBeCloseTo(320);
    expect(high).toBeCloseTo(480, 0);
    const random = seededRandom(9);
    const again = seededRandom(9);
    expect([1, 2, 3].map((n) => backoffDelay(n, options, random))).toEqual([1, 2, 3].map((n) => backoffDelay(n, options, again)));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { Duplex } from 'node:stream';
import { Link, type LinkOptions } from '../src/link.js';
import { encodeFrame } from '../src/frames.js';
import type { ServiceTable } from '../src/services.js';
import type { PeerIdentity } from '../src/tls/identity.js';
import { recordingLogger, waitFor } from './helpers.js';

const managerPeer: PeerIdentity = { nodeId: 'm1', role: 'manager', clusterId: 'c1', notAfter: new Date(Date.now() + 3600_000) };

/** Two in-memory stream ends wired to each other (each write shows up as a read on the other). */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (index: number) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        ends[1 - index].push(chunk);
        callback();
      },
      final(callback) {
        ends[1 - index].push(null);
        callback();
      },
      destroy(error, callback) {
        ends[1 - index].destroy();
        callback(error);
      },
    });
  ends.push(make(0), make(1));
  return [ends[0], ends[1]];
}

/** A socket that accepts writes but never completes them: a peer that stopped reading. */
function stalledSocket(): Duplex {
  return new Duplex({ read() {}, write() {} });
}

const links: Link[] = [];
afterEach(() => {
  for (const link of links.splice(0)) link.destroy('test over');
});

function linkPair(services: { client?: ServiceTable; server?: ServiceTable } = {}, options: LinkOptions = {}): [Link, Link] {
  const [a, b] = duplexPair();
  const client = new Link({ socket: a, side: 'client', peer: managerPeer, remoteAddress: '127.0.0.2', services: services.client ?? {}, options });
  const server = new Link({ socket: b, side: 'server', peer: managerPeer, remoteAddress: '127.0.0.1', services: services.server ?? {}, options });
  links.push(client, server);
  return [client, server];
}

describe('Link', () => {
  it('carries requests and one-way messages in both directions', async () => {
    const received: unknown[] = [];
    const [client, server] = linkPair({
      server: { math: { methods: { add: (body) => (body as number[]).reduce((a, b) => a + b, 0) } } },
      client: { events: { onMessage: (body) => received.push(body) }, ping: { methods: { ping: async () => 'pong' } } },
    });
    expect(await client.request('math', 'add', [1, 2, 3])).toBe(6);
    expect(await server.request('ping', 'ping', null)).toBe('pong');
    server.send('events', { kind: 'assignment', n: 1 });
    server.send('events', { kind: 'assignment', n: 2 });
    await waitFor(() => received.length === 2, 'messages');
    expect(received).toEqual([{ kind: 'assignment', n: 1 }, { kind: 'assignment', n: 2 }]);
  });

  it('returns handler errors with their gRPC code (Unknown for plain errors)', async () => {
    const [client] = linkPair({
      server: {
        svc: {
          methods: {
            invalid: () => {
              throw Object.assign(new Error('bad spec'), { code: 'InvalidArgument' });
            },
            plain: async () => {
              throw new Error('boom');
            },
          },
        },
      },
    });
    await expect(client.request('svc', 'invalid', null)).rejects.toMatchObject({ code: 'InvalidArgument', message: 'bad spec' });
    await expect(client.request('svc', 'plain', null)).rejects.toMatchObject({ code: 'Unknown', message: 'boom' });
    await expect(client.request('svc', 'missing', null)).rejects.toMatchObject({ code: 'Unimplemented', message: 'unknown method missing for service svc' });
    await expect(client.request('nope', 'x', null)).rejects.toMatchObject({ code: 'Unimplemented', message: 'unknown service nope' });
    // Inherited properties are not services or methods.
    await expect(client.request('constructor', 'x', null)).rejects.toMatchObject({ code: 'Unimplemented', message: 'unknown service constructor' });
    await expect(client.request('svc', 'toString', null)).rejects.toMatchObject({ code: 'Unimplemented' });
  });

  it('times out and cancels requests', async () => {
    const [client] = linkPair({ server: { slow: { methods: { never: () => new Promise(() => {}) } } } });
    await expect(client.request('slow', 'never', null, { timeoutMs: 30 })).rejects.toMatchObject({ code: 'DeadlineExceeded' });
    const controller = new AbortController();
    const pending = client.request('slow', 'never', null, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'Canceled', message: 'context canceled' });
    expect(client.stats().pendingRequests).toBe(0);
  });

  it('fails pending requests with Unavailable when the link closes', async () => {
    const [client, server] = linkPair({ server: { slow: { methods: { never: () => new Promise(() => {}) } } } });
    const pending = client.request('slow', 'never', null);
    await waitFor(() => server.stats().framesIn > 0, 'request to arrive');
    server.destroy('going away');
    await expect(pending).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(client.request('slow', 'never', null)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(() => client.send('x', null)).toThrowError(/closed/);
  });

  it('tells the caller when a response is too large for a frame', async () => {
    const [client] = linkPair({ server: { big: { methods: { get: () => Buffer.alloc(4096) } } } }, { maxFrameBytes: 1024 });
    await expect(client.request('big', 'get', null)).rejects.toMatchObject({ code: 'ResourceExhausted', message: expect.stringMatching(/^trying to send message larger than max/) });
    expect(() => client.send('big', Buffer.alloc(4096))).toThrowError(/larger than max/);
  });

  it('writes queued messages together at the end of the task, or at once when told to flush', async () => {
    const writes: Buffer[] = [];
    const socket = new Duplex({ read() {}, write(chunk: Buffer, _enc, done) { writes.push(chunk); done(); } });
    const link = new Link({ socket, side: 'client', peer: null, remoteAddress: '127.0.0.9', services: {}, options: { keepaliveIntervalMs: 0 } });
    links.push(link);
    link.send('a', 1);
    link.send('b', 2);
    expect(writes).toHaveLength(0);
    await Promise.resolve();
    expect(writes).toHaveLength(1);
    link.send('c', 3);
    link.send('d', 4, { flush: true });
    // Both in one write, before send returned.
    expect(writes).toHaveLength(2);
    await Promise.resolve();
    expect(writes).toHaveLength(2);
    expect(link.stats().framesOut).toBe(4);
  });

  it('bounds the send queue: calls fail fast once a peer stops reading', () => {
    const link = new Link({ socket: stalledSocket(), side: 'client', peer: null, remoteAddress: '127.0.0.9', services: {}, options: { maxQueuedBytes: 64 * 1024 } });
    links.push(link);
    let sent = 0;
    let failure: unknown;
    for (let i = 0; i < 1000 && !failure; i++) {
      try {
        link.send('bulk', Buffer.alloc(4096));
        sent++;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'ResourceExhausted', message: expect.stringMatching(/send queue to 127.0.0.9 is full/) });
    expect(sent).toBeLessThan(1000);
    expect(link.queuedBytes).toBeLessThan(64 * 1024 + 8192);
  });

  it('refuses requests beyond the in-flight limit', async () => {
    const [client] = linkPair({ server: { slow: { methods: { never: () => new Promise(() => {}) } } } }, { maxIncomingInFlight: 2 });
    void client.request('slow', 'never', null).catch(() => {});
    void client.request('slow', 'never', null).catch(() => {});
    await expect(client.request('slow', 'never', null)).rejects.toMatchObject({ code: 'ResourceExhausted' });
  });

  it('closes a link whose peer went silent (keepalive timeout)', async () => {
    const [, socket] = duplexPair();
    const link = new Link({ socket, side: 'client', peer: null, remoteAddress: '127.0.0.9', services: {}, options: { keepaliveIntervalMs: 10, idleTimeoutMs: 60 } });
    links.push(link);
    await waitFor(() => link.closed, 'keepalive timeout');
    expect(link.closeReason).toMatch(/^keepalive timeout: nothing received for \d+ ms$/);
  });

  it('closes the link on a frame that is not an envelope, logging why', async () => {
    const [raw, end] = duplexPair();
    const logger = recordingLogger();
    const link = new Link({ socket: end, side: 'server', peer: null, remoteAddress: '127.0.0.9', services: {}, options: { logger } });
    links.push(link);
    raw.write(encodeFrame('not an envelope'));
    await waitFor(() => link.closed, 'protocol violation');
    expect(link.closeReason).toBe('protocol violation: frame is not an envelope');
    expect(logger.records.some((r) => r.level === 'warn' && r.fields.reason === 'frame is not an envelope')).toBe(true);
  });

  it('closes the link on an oversized frame without reading it', async () => {
    const [raw, end] = duplexPair();
    const link = new Link({ socket: end, side: 'server', peer: null, remoteAddress: '127.0.0.9', services: {}, options: { maxFrameBytes: 1024 } });
    links.push(link);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0xffffffff);
    raw.write(header);
    await waitFor(() => link.closed, 'oversized frame');
    expect(link.closeReason).toBe('FRAME_TOO_LARGE: received message larger than max (4294967295 vs. 1024)');
  });

  it('closes the link on a frame truncated by the end of the stream', async () => {
    const [raw, end] = duplexPair();
    const link = new Link({ socket: end, side: 'server', peer: null, remoteAddress: '127.0.0.9', services: {}, options: {} });
    links.push(link);
    raw.end(encodeFrame([3, 'svc', 'payload']).subarray(0, 6));
    await waitFor(() => link.closed, 'truncated frame');
    expect(link.closeReason).toMatch(/^FRAME_TRUNCATED: /);
  });
});

// Byte-stream tunnels between nodes over mutual TLS: the emulated data path (Docker's port 4789).
//
// Swarm carries container traffic between nodes over VXLAN on the data path port, unauthenticated
// unless the overlay is encrypted. Here each pair of nodes keeps one TLS connection through the
// NIC (so partitions, delay, loss and rate limits apply to it as to any link), on which both ends
// presented a certificate of this swarm that is not deny-listed: no unauthenticated path between
// nodes. Each forwarded connection is one HTTP/2 CONNECT stream on it, so only the first one
// between two nodes pays a handshake. A stream's request carries a JSON header naming what the
// opener wants to reach; from then on the stream carries the forwarded bytes both ways.

import { EventEmitter } from 'node:events';
import type { ClientHttp2Session } from 'node:http2';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { silentLogger, type Logger } from './logger.js';
import type { Nic, NicServer } from './nic.js';
import type { NicSocket } from './nic/nic-socket.js';
import { presentedChain } from './tls/peer-chain.js';
import type { PeerIdentity } from './tls/identity.js';
import type { RefusalKind, SecurityConfig } from './tls/security-config.js';

/** A header longer than this is refused: it names a task and a port, nothing more. */
export const MAX_TUNNEL_HEADER_BYTES = 1024;

/** The request header that carries a stream's JSON header. */
const HEADER_FIELD = 'swarmlab-tunnel';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

let http2Module: Promise<typeof import('node:http2')> | undefined;
/**
 * HTTP/2 is loaded on first use: it costs every process memory, and most nodes never carry a
 * tunnel. process.getBuiltinModule (Node 20.16+), because a node runs from a bundle compiled as a
 * vm.Script, where import() has no loader to call.
 */
const loadHttp2 = () => (http2Module ??= process.getBuiltinModule ? Promise.resolve(process.getBuiltinModule('node:http2')) : import('node:http2'));

export interface TunnelServerOptions {
  nic: Nic;
  port: number;
  security: SecurityConfig;
  /**
   * Called once per tunnel with its header and the authenticated peer; the handler owns the
   * stream from then on: pipe it, or destroy it to refuse.
   */
  onTunnel: (header: Record<string, unknown>, stream: Duplex, peer: PeerIdentity) => void;
  handshakeTimeoutMs?: number;
  logger?: Logger;
}

export interface TunnelRefusal {
  remoteAddress: string;
  kind: RefusalKind | 'no-certificate' | 'bad-header';
  reason: string;
}

type PeerResult = { ok: true; identity: PeerIdentity } | TunnelRefusal;

/**
 * Every node of the swarm is a peer here, managers and workers alike, so a peer is checked as a
 * client on both sides: its chain leads to a trusted root at the node's time, it is a node
 * certificate of this cluster (every one carries clientAuth) and not deny-listed.
 */
function authenticatePeer(security: SecurityConfig, socket: tls.TLSSocket, remoteAddress: string): PeerResult {
  const chain = presentedChain(socket);
  if (chain.length === 0) return { remoteAddress, kind: 'no-certificate', reason: 'the data path requires a node certificate' };
  const check = security.checkPeer(chain, 'client');
  return check.ok ? check : { remoteAddress, kind: check.kind, reason: check.reason };
}

function parseHeader(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') throw new Error(`no ${HEADER_FIELD} header`);
  if (value.length > MAX_TUNNEL_HEADER_BYTES) throw new Error(`header longer than ${MAX_TUNNEL_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(value);
  } catch {
    throw new Error('header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('header is not a JSON object');
  return header as Record<string, unknown>;
}

/**
 * The TLS connection as a plain stream for HTTP/2. Node 20's HTTP/2 given a TLS socket that runs
 * over a JS stream (the NIC's) stalls or throws on bytes that arrived before it set up; given a
 * plain Duplex it takes its generic path, which works.
 */
function plainStream(socket: tls.TLSSocket): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, _encoding, done) => void socket.write(chunk, done),
    final: (done) => {
      socket.end();
      done();
    },
    destroy: (error, done) => {
      socket.destroy();
      done(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (error) => stream.destroy(error));
  return stream;
}

export class TunnelServer extends EventEmitter<{ refused: [TunnelRefusal] }> {
  private listener: NicServer | null = null;
  private readonly open = new Set<tls.TLSSocket>();
  private readonly logger: Logger;

  constructor(private readonly options: TunnelServerOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  async listen(): Promise<number> {
    this.listener ??= await this.options.nic.listen(this.options.port, (raw) => this.accept(raw));
    return this.listener.port;
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    for (const socket of this.open) socket.destroy();
    await listener?.close();
  }

  private accept(raw: NicSocket): void {
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext: this.options.security.secureContext(), requestCert: true, rejectUnauthorized: false });
    this.open.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      this.open.delete(socket);
      raw.destroy();
    });
    socket.on('error', (error) => this.logger.debug({ remote: raw.peerAddress, err: error.message }, 'data path connection failed'));
    socket.once('secure', () => {
      clearTimeout(timer);
      const peer = authenticatePeer(this.options.security, socket, raw.peerAddress);
      if (!('ok' in peer)) {
        this.refusal(peer);
        socket.destroy();
        return;
      }
      this.serveStreams(socket, raw.peerAddress, peer.identity);
    });
  }

  /** The authenticated connection speaks HTTP/2: every CONNECT stream on it is one tunnel. */
  private serveStreams(socket: tls.TLSSocket, remoteAddress: string, peer: PeerIdentity): void {
    // What the peer sends meanwhile waits in the socket.
    loadHttp2().then(
      (http2) => {
        if (!socket.destroyed) this.serveStreamsWith(http2, socket, remoteAddress, peer);
      },
      () => socket.destroy(),
    );
  }

  private serveStreamsWith(http2: typeof import('node:http2'), socket: tls.TLSSocket, remoteAddress: string, peer: PeerIdentity): void {
    const h2 = http2.createServer();
    h2.on('sessionError', () => socket.destroy());
    h2.on('stream', (stream, headers) => {
      stream.on('error', () => stream.destroy());
      // Removed from the swarm since the connection was authenticated: nothing more for it.
      if (this.options.security.isDenied(peer.nodeId)) {
        this.refusal({ remoteAddress, kind: 'removed-node', reason: `Permission denied: node ${peer.nodeId} was removed from swarm` });
        socket.destroy();
        return;
      }
      let header: Record<string, unknown>;
      try {
        if (headers[':method'] !== 'CONNECT') throw new Error(`${String(headers[':method'])} is not CONNECT`);
        header = parseHeader(headers[HEADER_FIELD]);
      } catch (error) {
        this.refusal({ remoteAddress, kind: 'bad-header', reason: (error as Error).message });
        stream.respond({ ':status': 400 }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200 });
      this.options.onTunnel(header, stream, peer);
    });
    h2.emit('connection', plainStream(socket));
  }

  private refusal(refusal: TunnelRefusal): void {
    this.logger.warn(refusal, 'data path connection refused');
    this.emit('refused', refusal);
  }
}

export interface TunnelClientOptions {
  nic: Nic;
  security: SecurityConfig;
  connectTimeoutMs?: number;
  handshakeTimeoutMs?: number;
}

/** A connection to another node and who that node proved to be. */
interface PeerSession {
  session: ClientHttp2Session;
  peer: PeerIdentity;
}

/** Opens tunnels to other nodes: one authenticated connection per node, a stream per tunnel. */
export class TunnelClient {
  private readonly sessions = new Map<string, Promise<PeerSession>>();
  private closed = false;

  constructor(private readonly options: TunnelClientOptions) {}

  /** A tunnel to `host:port` asking for `header`; fails if the peer is no node of this swarm, refuses, or cannot be reached. */
  async open(host: string, port: number, header: Record<string, unknown>): Promise<Duplex> {
    const value = JSON.stringify(header);
    if (value.length > MAX_TUNNEL_HEADER_BYTES) throw new Error(`tunnel header longer than ${MAX_TUNNEL_HEADER_BYTES} bytes`);
    const { session, peer } = await this.session(host, port);
    // Removed from the swarm since the connection was authenticated: no more tunnels to it.
    if (this.options.security.isDenied(peer.nodeId)) {
      session.destroy();
      throw new Error(`data path peer ${host} refused: node ${peer.nodeId} was removed from swarm`);
    }
    const stream = session.request({ ':method': 'CONNECT', ':authority': `${host}:${port}`, [HEADER_FIELD]: value });
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        stream.destroy();
        reject(error);
      };
      const closed = () => fail(new Error(`data path to ${host} closed the tunnel`));
      stream.once('error', fail);
      stream.once('close', closed);
      stream.once('response', (headers) => {
        if (headers[':status'] !== 200) return fail(new Error(`data path to ${host} refused the tunnel (${String(headers[':status'])})`));
        stream.off('close', closed);
        stream.off('error', fail);
        resolve(stream);
      });
    });
  }

  /** The connection to `host:port`, opened once and shared until it closes. */
  private session(host: string, port: number): Promise<PeerSession> {
    if (this.closed) return Promise.reject(new Error('data path closed'));
    const key = `${host}:${port}`;
    let session = this.sessions.get(key);
    if (!session) {
      const opening = this.connect(host, port);
      session = opening;
      this.sessions.set(key, opening);
      const forget = () => {
        if (this.sessions.get(key) === opening) this.sessions.delete(key);
      };
      opening.then((s) => s.session.once('close', forget), forget);
    }
    return session;
  }

  private async connect(host: string, port: number): Promise<PeerSession> {
    const { nic, security } = this.options;
    const http2 = await loadHttp2();
    const raw = await nic.connect(host, port, { timeoutMs: this.options.connectTimeoutMs });
    let peer: PeerIdentity;
    const socket = tls.connect({ socket: raw, secureContext: security.secureContext(), rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    socket.once('close', () => raw.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('TLS handshake timed out')), this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      const result = authenticatePeer(security, socket, host);
      if (!('ok' in result)) throw new Error(`data path peer ${host} refused: ${result.reason}`);
      peer = result.identity;
    } catch (error) {
      socket.destroy();
      throw error;
    }
    socket.on('error', () => socket.destroy());
    const session = http2.connect(`http://${host}:${port}`, { createConnection: () => plainStream(socket) as unknown as import('node:net').Socket });
    session.on('error', () => session.destroy());
    if (this.closed) session.destroy();
    return { session, peer };
  }

  /** Ends every connection and the tunnels on them. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) session.then((s) => s.session.destroy(), () => undefined);
    this.sessions.clear();
  }
}

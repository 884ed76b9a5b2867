import { EventEmitter } from 'node:events';
import tls from 'node:tls';
import { Link, type LinkOptions } from './link.js';
import { silentLogger, type Logger } from './logger.js';
import type { Nic, NicServer } from './nic.js';
import type { NicSocket } from './nic/nic-socket.js';
import type { ServiceTable } from './services.js';
import { presentedChain } from './tls/peer-chain.js';
import type { PeerCheck, RefusalKind, SecurityConfig } from './tls/security-config.js';

export interface TransportServerOptions {
  nic: Nic;
  /** 2377 on a real node; 0 picks a free port (tests). */
  port: number;
  security: SecurityConfig;
  services: ServiceTable;
  /** A connection that has not finished its TLS handshake by then is dropped (default 10 s). */
  handshakeTimeoutMs?: number;
  link?: LinkOptions;
  logger?: Logger;
}

export interface RefusedConnection {
  remoteAddress: string;
  kind: RefusalKind;
  reason: string;
}

export interface TransportServerStats {
  accepted: number;
  refused: number;
  handshakeFailures: number;
  open: number;
  /** Refusals by kind (untrusted, expired, wrong-cluster, removed-node, ...). */
  refusedByKind: Partial<Record<RefusalKind, number>>;
}

/**
 * The cluster-management listener (2377): TLS with "verify client certificate if given", as
 * SwarmKit's VerifyClientCertIfGiven. As soon as the handshake completes, before any message is
 * read, a presented certificate is verified (chain to a trusted root at the node's time, cluster
 * ID, deny-list); one that fails closes the connection, with the reason logged and counted. A peer
 * without a certificate gets a link on which only `unauthenticated` services answer.
 */
export class TransportServer extends EventEmitter<{ link: [Link]; refused: [RefusedConnection] }> {
  private listener: NicServer | null = null;
  private readonly links = new Set<Link>();
  private readonly handshaking = new Set<tls.TLSSocket>();
  private readonly logger: Logger;
  private readonly counters: TransportServerStats = { accepted: 0, refused: 0, handshakeFailures: 0, open: 0, refusedByKind: {} };

  constructor(private readonly options: TransportServerOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    if (this.listener) return this.listener.port;
    this.listener = await this.options.nic.listen(this.options.port, (socket) => this.accept(socket));
    return this.listener.port;
  }

  get port(): number {
    if (!this.listener) throw new Error('server is not listening');
    return this.listener.port;
  }

  /** Links currently open (authenticated or not). */
  openLinks(): Link[] {
    return [...this.links];
  }

  stats(): TransportServerStats {
    return { ...this.counters, open: this.links.size, refusedByKind: { ...this.counters.refusedByKind } };
  }

  /** Stops listening and closes every link and pending handshake. */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    for (const socket of this.handshaking) socket.destroy();
    for (const link of this.links) link.destroy('server shutting down');
    await listener?.close();
  }

  private accept(raw: NicSocket): void {
    const { security } = this.options;
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: security.secureContext(),
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.handshaking.add(socket);
    const timer = setTimeout(() => {
      this.counters.handshakeFailures++;
      this.logger.warn({ remote: raw.peerAddress }, 'TLS handshake timed out');
      socket.destroy();
    }, this.options.handshakeTimeoutMs ?? 10_000);
    const done = (): void => {
      clearTimeout(timer);
      this.handshaking.delete(socket);
    };
    socket.once('close', () => {
      raw.destroy();
      done();
    });
    socket.on('error', (error) => {
      if (this.handshaking.has(socket)) {
        this.counters.handshakeFailures++;
        this.logger.warn({ remote: raw.peerAddress, err: error.message }, 'TLS handshake failed');
      }
    });
    socket.once('secure', () => {
      done();
      const result = this.authenticate(socket);
      if (!result.ok) return this.refuse(socket, { remoteAddress: raw.peerAddress, kind: result.kind, reason: result.reason });
      this.counters.accepted++;
      const link = new Link({
        socket,
        side: 'server',
        peer: result.identity,
        remoteAddress: raw.peerAddress,
        services: this.options.services,
        counter: raw,
        options: { logger: this.logger, ...this.options.link },
      });
      this.links.add(link);
      link.once('close', () => this.links.delete(link));
      this.emit('link', link);
    });
  }

  /** No certificate is allowed (an unauthenticated link); a presented one must check out. */
  private authenticate(socket: tls.TLSSocket): PeerCheck | { ok: true; identity: null } {
    const chain = presentedChain(socket);
    if (chain.length === 0) return { ok: true, identity: null };
    return this.options.security.checkPeer(chain, 'client');
  }

  private refuse(socket: tls.TLSSocket, refusal: RefusedConnection): void {
    this.counters.refused++;
    this.counters.refusedByKind[refusal.kind] = (this.counters.refusedByKind[refusal.kind] ?? 0) + 1;
    this.logger.warn({ remote: refusal.remoteAddress, kind: refusal.kind, reason: refusal.reason }, 'connection refused');
    this.emit('refused', refusal);
    socket.destroy();
  }
}

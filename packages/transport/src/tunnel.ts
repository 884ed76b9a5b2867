// Byte-stream tunnels between nodes over mutual TLS: the emulated data path (Docker's port 4789).
//
// Swarm carries container traffic between nodes over VXLAN on the data path port, unauthenticated
// unless the overlay is encrypted. Here it is one TLS connection per forwarded TCP connection, through
// the NIC (so partitions, delay, loss and rate limits apply to it as to any link), and both ends
// must present a certificate of this swarm that is not deny-listed: no unauthenticated path between
// nodes. The opener writes one header line (JSON, naming what it wants to reach) and from then on
// the connection carries the forwarded bytes both ways.

import { EventEmitter } from 'node:events';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from './logger.js';
import type { Nic, NicServer } from './nic.js';
import type { NicSocket } from './nic/nic-socket.js';
import { presentedChain } from './tls/peer-chain.js';
import type { PeerIdentity } from './tls/identity.js';
import type { RefusalKind, SecurityConfig } from './tls/security-config.js';

/** A header longer than this is refused: it names a task and a port, nothing more. */
export const MAX_TUNNEL_HEADER_BYTES = 1024;

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface TunnelServerOptions {
  nic: Nic;
  port: number;
  security: SecurityConfig;
  /**
   * Called once per authenticated tunnel with its header; the handler owns the stream from then on.
   * The stream is paused, so nothing is lost while the handler gets ready: pipe or resume it.
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

/**
 * Every node of the swarm is a peer here, managers and workers alike, so a peer is checked as a
 * client on both sides: its chain leads to a trusted root at the node's time, it is a node
 * certificate of this cluster (every one carries clientAuth) and not deny-listed.
 */
function authenticatePeer(security: SecurityConfig, socket: tls.TLSSocket): { ok: true; identity: PeerIdentity } | TunnelRefusal {
  const chain = presentedChain(socket);
  const remoteAddress = socket.remoteAddress ?? '';
  if (chain.length === 0) return { remoteAddress, kind: 'no-certificate', reason: 'the data path requires a node certificate' };
  const check = security.checkPeer(chain, 'client');
  return check.ok ? check : { remoteAddress, kind: check.kind, reason: check.reason };
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
      const peer = authenticatePeer(this.options.security, socket);
      if (!('ok' in peer)) return this.refuse(socket, { ...peer, remoteAddress: raw.peerAddress });
      readHeader(socket).then(
        (header) => {
          clearTimeout(timer);
          this.open.delete(socket);
          this.options.onTunnel(header, socket, peer.identity);
        },
        (error: Error) => this.refuse(socket, { remoteAddress: raw.peerAddress, kind: 'bad-header', reason: error.message }),
      );
    });
  }

  private refuse(socket: tls.TLSSocket, refusal: TunnelRefusal): void {
    this.logger.warn(refusal, 'data path connection refused');
    this.emit('refused', refusal);
    socket.destroy();
  }
}

/** Reads the header line; what follows it is put back for the stream's reader. */
function readHeader(socket: tls.TLSSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => fail(new Error('closed before its header'));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(0x0a);
      if (end < 0) {
        if (buffered.length > MAX_TUNNEL_HEADER_BYTES) fail(new Error(`header longer than ${MAX_TUNNEL_HEADER_BYTES} bytes`));
        return;
      }
      if (end > MAX_TUNNEL_HEADER_BYTES) return fail(new Error(`header longer than ${MAX_TUNNEL_HEADER_BYTES} bytes`));
      cleanup();
      socket.pause();
      const rest = buffered.subarray(end + 1);
      if (rest.length > 0) socket.unshift(rest);
      let header: unknown;
      try {
        header = JSON.parse(buffered.subarray(0, end).toString('utf8'));
      } catch {
        return reject(new Error('header is not JSON'));
      }
      if (typeof header !== 'object' || header === null || Array.isArray(header)) return reject(new Error('header is not a JSON object'));
      resolve(header as Record<string, unknown>);
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

export interface OpenTunnelOptions {
  nic: Nic;
  security: SecurityConfig;
  host: string;
  port: number;
  header: Record<string, unknown>;
  connectTimeoutMs?: number;
  handshakeTimeoutMs?: number;
}

/** Opens a tunnel to `host:port`, authenticates the peer as a node of this swarm and sends `header`. */
export async function openTunnel(options: OpenTunnelOptions): Promise<tls.TLSSocket> {
  const { nic, security } = options;
  const raw = await nic.connect(options.host, options.port, { timeoutMs: options.connectTimeoutMs });
  const socket = tls.connect({ socket: raw, secureContext: security.secureContext(), rejectUnauthorized: false, minVersion: 'TLSv1.2' });
  socket.once('close', () => raw.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TLS handshake timed out')), options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const peer = authenticatePeer(security, socket);
    if (!('ok' in peer)) throw new Error(`data path peer ${options.host} refused: ${peer.reason}`);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const header = Buffer.from(`${JSON.stringify(options.header)}\n`);
  if (header.length > MAX_TUNNEL_HEADER_BYTES) {
    socket.destroy();
    throw new Error(`tunnel header longer than ${MAX_TUNNEL_HEADER_BYTES} bytes`);
  }
  socket.write(header);
  return socket;
}

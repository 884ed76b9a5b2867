import tls from 'node:tls';
import { Link, type LinkOptions } from './link.js';
import { TransportError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { Nic } from './nic.js';
import type { NicSocket } from './nic/nic-socket.js';
import type { ServiceTable } from './services.js';
import { MANAGER_SERVER_NAME } from './tls/identity.js';
import { presentedChain } from './tls/peer-chain.js';
import type { SecurityConfig } from './tls/security-config.js';

export interface DialOptions {
  nic: Nic;
  host: string;
  port: number;
  security: SecurityConfig;
  /** Services this end offers to the server over the same link (it may call back). */
  services?: ServiceTable;
  /**
   * Verify the server against the trusted roots (default). Only the join exchange turns this off:
   * a joiner has no roots yet, so it fetches the root CA unverified and checks it against the
   * digest in its join token instead, exactly as SwarmKit's GetRemoteCA.
   */
  verifyServer?: boolean;
  /** TCP connect, including waiting out a NIC block (default 10 s). */
  connectTimeoutMs?: number;
  /** TLS handshake and server authentication (default 10 s). */
  handshakeTimeoutMs?: number;
  link?: LinkOptions;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Opens one mTLS link to a manager: connect through the NIC from this node's address, handshake with
 * server name `swarm-manager`, then (unless `verifyServer` is false) check that the server's chain
 * leads to a trusted root at the node's time, that it is a manager certificate of this cluster and
 * not deny-listed. Failures reject with TransportError(Unavailable) in grpc-go's words.
 */
export async function dial(options: DialOptions): Promise<Link> {
  const { nic, host, port, security } = options;
  const logger = options.logger ?? silentLogger;
  let raw: NicSocket;
  try {
    raw = await nic.connect(host, port, { timeoutMs: options.connectTimeoutMs, signal: options.signal });
  } catch (error) {
    throw dialError(host, port, error);
  }
  const socket = tls.connect({
    socket: raw,
    secureContext: security.secureContext(),
    servername: MANAGER_SERVER_NAME,
    // We verify the chain ourselves, against the node's clock (see tls/chain.ts).
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  });
  try {
    await handshake(socket, options.handshakeTimeoutMs ?? 10_000, options.signal);
  } catch (error) {
    socket.destroy();
    raw.destroy();
    throw handshakeError(error instanceof Error ? error.message : String(error));
  }
  let peer = null;
  if (options.verifyServer !== false) {
    const check = security.checkPeer(presentedChain(socket), 'server');
    if (!check.ok) {
      logger.warn({ remote: host, kind: check.kind, reason: check.reason }, 'server refused');
      socket.destroy();
      throw handshakeError(check.reason);
    }
    peer = check.identity;
  }
  socket.once('close', () => raw.destroy());
  return new Link({
    socket,
    side: 'client',
    peer,
    remoteAddress: host,
    services: options.services ?? {},
    counter: raw,
    options: { logger, ...options.link },
  });
}

function handshake(socket: tls.TLSSocket, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.off('secureConnect', onSecure);
      socket.off('error', finish);
      socket.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onSecure = (): void => finish();
    const onClose = (): void => finish(new Error('connection closed during the TLS handshake'));
    const onAbort = (): void => finish(new Error('context canceled'));
    const timer = setTimeout(() => finish(new Error(`TLS handshake timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', onSecure);
    socket.once('error', finish);
    socket.once('close', onClose);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function dialError(host: string, port: number, error: unknown): TransportError {
  const code = (error as { code?: string }).code;
  const what = code === 'ECONNREFUSED' ? 'connect: connection refused' : code === 'ETIMEDOUT' ? 'i/o timeout' : (error as Error).message;
  return new TransportError('Unavailable', `connection error: desc = "transport: Error while dialing dial tcp ${host}:${port}: ${what}"`);
}

function handshakeError(reason: string): TransportError {
  return new TransportError('Unavailable', `connection error: desc = "transport: authentication handshake failed: ${reason}"`);
}

import { EventEmitter } from 'node:events';
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { performance } from 'node:perf_hooks';
import { NicSocket } from './nic/nic-socket.js';
import { NicUdpSocket } from './nic/udp-socket.js';
import { StatsTable, type NicStats } from './nic/stats.js';
import { isIPv4, normalizePeerAddress, parseNicRules, resolveFlowPolicy, type Flow, type FlowPolicy, type NicRules } from './nic/rules.js';
import { silentLogger, type Logger } from './logger.js';

export interface NicOptions {
  /** This node's own address (e.g. 127.0.1.3); every socket is bound to it. */
  address: string;
  rules?: NicRules;
  /** Random source for jitter and loss (inject a seeded one for reproducible runs). */
  random?: () => number;
  /** Bytes a connection may hold per direction before back-pressure stops the sender (default 256 KiB). */
  highWaterBytes?: number;
  logger?: Logger;
}

export interface NicConnectOptions {
  /** Give up on a connect that the rules keep from completing (default 10 s), as a SYN timeout would. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface NicServer {
  readonly port: number;
  close(): Promise<void>;
}

const DEFAULT_HIGH_WATER_BYTES = 256 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * dgram resolves the address of every datagram it sends through dns.lookup, a tick later. Peers are
 * IPv4 literals: answered at once, the datagram goes out in the same tick. Anything else still goes
 * to dns.lookup.
 */
function lookupLiteral(address: string, family: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  if (isIPv4(address)) callback(null, address, 4);
  else dns.lookup(address, family as number, callback);
}

/**
 * The emulated NIC: the one place in a node that opens sockets to other nodes. Every TCP connection
 * (listening or dialled) and every UDP socket is bound to the node's own loopback address and passes
 * through the fault rules (see nic/rules.ts for their exact semantics). Rules are keyed by the peer's
 * IP, can be replaced at run time, apply at once to open connections, and every byte is counted.
 */
export class Nic extends EventEmitter<{ rules: [NicRules] }> {
  readonly address: string;
  readonly statsTable = new StatsTable();
  readonly random: () => number;
  readonly highWaterBytes: number;
  readonly now = (): number => performance.now();
  private currentRules: NicRules;
  private readonly sockets = new Set<NicSocket>();
  private readonly udpSockets = new Set<NicUdpSocket>();
  private readonly servers = new Set<net.Server>();
  private readonly logger: Logger;

  constructor(options: NicOptions) {
    super();
    if (!isIPv4(options.address)) throw new Error(`NIC address must be an IPv4 address such as 127.0.1.3, got "${options.address}"`);
    this.address = options.address;
    this.currentRules = parseNicRules(options.rules ?? {});
    this.random = options.random ?? Math.random;
    this.highWaterBytes = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    this.logger = options.logger ?? silentLogger;
    // Every connect stalled by a block waits for the next rules change.
    this.setMaxListeners(0);
  }

  /** Replaces all rules. Invalid input throws NicRuleError and leaves the current rules in force. */
  setRules(rules: unknown): void {
    this.currentRules = parseNicRules(rules);
    this.logger.info({ rules: this.currentRules }, 'nic rules changed');
    for (const socket of this.sockets) socket.rulesChanged();
    this.emit('rules', this.rules());
  }

  clear(): void {
    this.setRules({});
  }

  rules(): NicRules {
    return structuredClone(this.currentRules);
  }

  /** The `reset` fault: destroys every open TCP connection with `peer`. Returns how many. */
  reset(peer: string): number {
    let count = 0;
    for (const socket of [...this.sockets]) {
      if (socket.peerAddress === peer) {
        socket.reset();
        count++;
      }
    }
    this.logger.info({ peer, connections: count }, 'nic reset connections');
    return count;
  }

  /** Per-peer counters (a copy), keyed by peer IP. */
  stats(): NicStats {
    return this.statsTable.snapshot();
  }

  policyFor(peer: string, flow: Flow): FlowPolicy | null {
    return resolveFlowPolicy(this.currentRules, peer, flow);
  }

  /** Accepts TCP connections on this node's address; each arrives already wrapped by the NIC. */
  listen(port: number, onConnection: (socket: NicSocket) => void): Promise<NicServer> {
    const server = net.createServer({ noDelay: true }, (raw) => {
      const peer = normalizePeerAddress(raw.remoteAddress);
      const socket = new NicSocket(raw, peer, this);
      this.sockets.add(socket);
      onConnection(socket);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.address, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.logger.error({ err: error, port }, 'listener error'));
        this.servers.add(server);
        const bound = (server.address() as net.AddressInfo).port;
        resolve({
          port: bound,
          close: () => this.closeServer(server),
        });
      });
    });
  }

  /**
   * Opens a TCP connection from this node's address. While the rules block the peer in either
   * direction the attempt waits (a dropped SYN or SYN-ACK stalls the handshake), and it fails with
   * ETIMEDOUT if the block outlasts `timeoutMs`; a configured delay costs one round trip first.
   */
  async connect(host: string, port: number, options: NicConnectOptions = {}): Promise<NicSocket> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    await this.waitForOpenPath(host, port, timeoutMs, options.signal);
    const raw = net.connect({ host, port, localAddress: this.address, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        raw.destroy();
        reject(abortError(options.signal));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      raw.once('connect', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      raw.once('error', (error) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
    });
    const socket = new NicSocket(raw, host, this);
    this.sockets.add(socket);
    return socket;
  }

  /** Binds a UDP socket on this node's address (port 0 picks a free one). */
  bindUdp(port: number): Promise<NicUdpSocket> {
    const raw = dgram.createSocket({ type: 'udp4', reuseAddr: false, lookup: lookupLiteral });
    return new Promise((resolve, reject) => {
      raw.once('error', reject);
      raw.bind({ address: this.address, port, exclusive: true }, () => {
        raw.off('error', reject);
        const socket = new NicUdpSocket(raw, this);
        this.udpSockets.add(socket);
        resolve(socket);
      });
    });
  }

  /** Closes every listener and socket this NIC opened. */
  async close(): Promise<void> {
    for (const socket of [...this.sockets]) socket.destroy();
    await Promise.all([...this.servers].map((server) => this.closeServer(server)));
    await Promise.all([...this.udpSockets].map((socket) => socket.close()));
  }

  /** @internal called by a NicSocket when it is destroyed. */
  forget(socket: NicSocket): void {
    this.sockets.delete(socket);
  }

  /** @internal called by a NicUdpSocket when it closes. */
  forgetUdp(socket: NicUdpSocket): void {
    this.udpSockets.delete(socket);
  }

  private closeServer(server: net.Server): Promise<void> {
    if (!this.servers.delete(server)) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async waitForOpenPath(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const outbound = this.policyFor(host, 'outbound');
      const inbound = this.policyFor(host, 'inbound');
      if (!outbound?.blocked && !inbound?.blocked) {
        const roundTrip = (outbound?.delayMs ?? 0) + (inbound?.delayMs ?? 0);
        if (roundTrip > 0) await sleep(Math.min(roundTrip, Math.max(0, deadline - this.now())), signal);
        return;
      }
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        throw Object.assign(new Error(`connect ETIMEDOUT ${host}:${port}`), { code: 'ETIMEDOUT', address: host, port });
      }
      await this.nextRulesChange(remaining, signal);
    }
  }

  private nextRulesChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('rules', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.on('rules', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal?: AbortSignal): Error {
  return Object.assign(new Error('connect aborted'), { code: 'ABORT_ERR', cause: signal?.reason });
}

import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { FlowPipe } from './flow-pipe.js';
import type { Flow, FlowPolicy } from './rules.js';
import type { PeerStats, StatsTable } from './stats.js';

/** What a NicSocket needs from its NIC (kept narrow so the socket is testable on its own). */
export interface NicSocketHost {
  policyFor(peer: string, flow: Flow): FlowPolicy | null;
  statsTable: StatsTable;
  random: () => number;
  now: () => number;
  highWaterBytes: number;
  forget(socket: NicSocket): void;
}

/**
 * A TCP connection as the rest of the node sees it: a Duplex over the raw socket with the NIC's
 * fault rules applied to every byte in both directions. TLS runs on top of it, so blocks, delays and
 * rate limits hit the handshake and the encrypted records exactly as they would on a wire.
 */
export class NicSocket extends Duplex {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly localAddress: string;
  private readonly stats: PeerStats;
  private readonly inbound: FlowPipe;
  private readonly outbound: FlowPipe;
  private inboundPolicy: FlowPolicy | null;
  private outboundPolicy: FlowPolicy | null;
  private pendingWrite: (() => void) | null = null;
  private readableEndPushed = false;

  constructor(
    private readonly raw: Socket,
    peer: string,
    private readonly host: NicSocketHost,
  ) {
    super({ allowHalfOpen: false, readableHighWaterMark: host.highWaterBytes, writableHighWaterMark: host.highWaterBytes });
    this.peerAddress = peer;
    this.peerPort = raw.remotePort ?? 0;
    this.localAddress = raw.localAddress ?? '';
    this.stats = host.statsTable.for(peer);
    this.stats.connections++;
    this.inboundPolicy = host.policyFor(peer, 'inbound');
    this.outboundPolicy = host.policyFor(peer, 'outbound');
    raw.setNoDelay(true);

    this.inbound = new FlowPipe({
      policy: () => this.inboundPolicy,
      deliver: (chunk) => {
        host.statsTable.addBytes(this.stats, 'inbound', chunk.length);
        return this.push(chunk);
      },
      onDrained: () => raw.resume(),
      onHeld: (delta) => host.statsTable.addHeld(this.stats, 'inbound', delta),
      highWaterBytes: host.highWaterBytes,
      random: host.random,
      now: host.now,
    });
    this.outbound = new FlowPipe({
      policy: () => this.outboundPolicy,
      deliver: (chunk) => {
        host.statsTable.addBytes(this.stats, 'outbound', chunk.length);
        return raw.write(chunk);
      },
      onDrained: () => this.releaseWriter(),
      onHeld: (delta) => host.statsTable.addHeld(this.stats, 'outbound', delta),
      highWaterBytes: host.highWaterBytes,
      random: host.random,
      now: host.now,
    });

    raw.on('data', (chunk: Buffer) => {
      if (!this.inbound.push(chunk)) raw.pause();
    });
    raw.on('drain', () => this.outbound.resume());
    raw.on('end', () => this.inbound.whenEmpty(() => this.endReadable()));
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', (hadError) => {
      // Nothing more can leave on a closed connection; what already arrived is still delivered
      // (after any delay or block) before the end of stream.
      this.outbound.close();
      this.releaseWriter();
      if (!hadError) this.inbound.whenEmpty(() => this.endReadable());
    });
  }

  /** Re-reads the rules (called by the NIC when they change) and releases whatever they now allow. */
  rulesChanged(): void {
    this.inboundPolicy = this.host.policyFor(this.peerAddress, 'inbound');
    this.outboundPolicy = this.host.policyFor(this.peerAddress, 'outbound');
    this.inbound.wake();
    this.outbound.wake();
  }

  /** Lets the link above count its frames in the NIC's per-peer table. */
  countFrames(flow: Flow, frames: number): void {
    this.host.statsTable.addFrames(this.stats, flow, frames);
  }

  /** The `reset` fault: abort the connection with an RST, as a middlebox killing it would. */
  reset(): void {
    this.stats.resets++;
    const error = Object.assign(new Error(`connection with ${this.peerAddress} reset by the emulated NIC`), { code: 'ECONNRESET' });
    if (!this.raw.destroyed) this.raw.resetAndDestroy();
    this.destroy(error);
  }

  override _read(): void {
    this.inbound.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.raw.destroyed) return callback(Object.assign(new Error(`connection with ${this.peerAddress} is closed`), { code: 'EPIPE' }));
    if (this.outbound.push(chunk)) callback();
    else this.pendingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.outbound.whenEmpty(() => {
      if (!this.raw.destroyed) this.raw.end();
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inbound.close();
    this.outbound.close();
    this.pendingWrite = null;
    if (!this.raw.destroyed) this.raw.destroy();
    this.stats.connections--;
    this.host.forget(this);
    callback(error);
  }

  private endReadable(): void {
    if (this.readableEndPushed || this.destroyed) return;
    this.readableEndPushed = true;
    this.push(null);
  }

  private releaseWriter(): void {
    const release = this.pendingWrite;
    this.pendingWrite = null;
    release?.();
  }
}

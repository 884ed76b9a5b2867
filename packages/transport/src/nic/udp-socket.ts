import { EventEmitter } from 'node:events';
import type { Socket as DgramSocket } from 'node:dgram';
import { DatagramShaper, type DatagramShaperHost } from './datagram-shaper.js';
import { normalizePeerAddress } from './rules.js';

export interface DatagramSource {
  address: string;
  port: number;
}

export interface NicUdpSocketEvents {
  message: [packet: Buffer, from: DatagramSource];
  error: [error: Error];
}

/**
 * A UDP socket bound to the node's own address, with the NIC's rules applied to every datagram in
 * and out. `send` never throws: a datagram that cannot leave is simply lost, as on a network.
 */
export class NicUdpSocket extends EventEmitter<NicUdpSocketEvents> {
  private readonly inbound: DatagramShaper;
  private readonly outbound: DatagramShaper;
  private closed = false;

  constructor(
    private readonly raw: DgramSocket,
    host: DatagramShaperHost & { forgetUdp(socket: NicUdpSocket): void },
  ) {
    super();
    this.inbound = new DatagramShaper('inbound', host, (packet, peer, port) => this.emit('message', packet, { address: peer, port }));
    this.outbound = new DatagramShaper('outbound', host, (packet, peer, port) => {
      if (!this.closed) raw.send(packet, port, peer, (error) => error && this.emitError(error));
    });
    raw.on('message', (packet, rinfo) => this.inbound.submit(packet, normalizePeerAddress(rinfo.address), rinfo.port));
    raw.on('error', (error) => this.emitError(error));
    raw.on('close', () => {
      this.closed = true;
      this.inbound.close();
      this.outbound.close();
      host.forgetUdp(this);
    });
  }

  get port(): number {
    return this.raw.address().port;
  }

  get address(): string {
    return this.raw.address().address;
  }

  send(packet: Buffer, port: number, address: string): void {
    if (this.closed) return;
    this.outbound.submit(packet, address, port);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.raw.close(() => resolve()));
  }

  private emitError(error: Error): void {
    // An 'error' with no listener would throw; a datagram socket's errors are never fatal to the node.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

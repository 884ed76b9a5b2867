import { TokenBucket } from './token-bucket.js';
import type { Flow, FlowPolicy } from './rules.js';
import type { StatsTable } from './stats.js';

export interface DatagramShaperHost {
  policyFor(peer: string, flow: Flow): FlowPolicy | null;
  statsTable: StatsTable;
  random: () => number;
  now: () => number;
}

/** Datagrams a rate-limited peer may have waiting for tokens before new ones are dropped (tbf's limit). */
export const RATE_QUEUE_PACKETS = 64;

interface RateState {
  bucket: TokenBucket;
  queue: { packet: Buffer; port: number }[];
  timer: NodeJS.Timeout | null;
}

/**
 * Applies the NIC rules to datagrams in one direction: a block or a loss drops the packet (and
 * counts it), a delay holds it on its own timer (so jitter can reorder, as on a real network), a rate
 * limit lets a short queue wait for tokens and drops beyond it.
 */
export class DatagramShaper {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rates = new Map<string, RateState>();
  private closed = false;

  constructor(
    private readonly flow: Flow,
    private readonly host: DatagramShaperHost,
    private readonly deliver: (packet: Buffer, peer: string, port: number) => void,
  ) {}

  submit(packet: Buffer, peer: string, port: number): void {
    if (this.closed) return;
    const stats = this.host.statsTable.for(peer);
    const policy = this.host.policyFor(peer, this.flow);
    if (policy === null) return this.pass(packet, peer, port, null);
    if (policy.blocked || (policy.loss > 0 && this.host.random() < policy.loss)) {
      this.host.statsTable.addDrop(stats, this.flow);
      return;
    }
    if (policy.rateBytesPerSec === 0) return this.pass(packet, peer, port, policy);
    const rate = this.rateState(peer, policy);
    if (rate.queue.length === 0 && rate.bucket.fits(packet.length, this.host.now())) {
      rate.bucket.take(packet.length);
      return this.pass(packet, peer, port, policy);
    }
    if (rate.queue.length >= RATE_QUEUE_PACKETS) {
      this.host.statsTable.addDrop(stats, this.flow);
      return;
    }
    rate.queue.push({ packet, port });
    this.drainRateQueue(peer, rate);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const rate of this.rates.values()) if (rate.timer) clearTimeout(rate.timer);
    this.rates.clear();
  }

  private pass(packet: Buffer, peer: string, port: number, policy: FlowPolicy | null): void {
    const delay = policy === null ? 0 : policy.delayMs + (policy.jitterMs > 0 ? (this.host.random() * 2 - 1) * policy.jitterMs : 0);
    if (delay < 1) return this.emit(packet, peer, port);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.emit(packet, peer, port);
    }, delay);
    this.timers.add(timer);
  }

  private emit(packet: Buffer, peer: string, port: number): void {
    if (this.closed) return;
    this.host.statsTable.addPacket(this.host.statsTable.for(peer), this.flow);
    this.deliver(packet, peer, port);
  }

  private rateState(peer: string, policy: FlowPolicy): RateState {
    const now = this.host.now();
    let rate = this.rates.get(peer);
    if (!rate) {
      rate = { bucket: new TokenBucket(policy.rateBytesPerSec, policy.burstBytes, now), queue: [], timer: null };
      this.rates.set(peer, rate);
    } else {
      rate.bucket.reconfigure(policy.rateBytesPerSec, policy.burstBytes, now);
    }
    return rate;
  }

  private drainRateQueue(peer: string, rate: RateState): void {
    if (rate.timer !== null || this.closed) return;
    while (rate.queue.length > 0) {
      const policy = this.host.policyFor(peer, this.flow);
      const next = rate.queue[0];
      if (policy !== null && policy.rateBytesPerSec > 0) {
        rate.bucket.reconfigure(policy.rateBytesPerSec, policy.burstBytes, this.host.now());
        const waitMs = rate.bucket.waitMs(next.packet.length, this.host.now());
        if (waitMs > 0) {
          rate.timer = setTimeout(() => {
            rate.timer = null;
            this.drainRateQueue(peer, rate);
          }, waitMs);
          return;
        }
        rate.bucket.take(next.packet.length);
      }
      rate.queue.shift();
      this.pass(next.packet, peer, next.port, policy);
    }
  }
}

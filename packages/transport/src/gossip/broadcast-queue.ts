/**
 * memberlist's TransmitLimitedQueue: broadcasts waiting to be piggy-backed on outgoing packets. Each is
 * sent at most retransmitMult × ceil(log10(n + 1)) times; the least-sent go first; a newer broadcast
 * with the same key (a newer state of the same member) replaces the older one.
 */
interface QueuedBroadcast {
  key: string;
  encoded: Buffer;
  transmits: number;
  order: number;
}

export class BroadcastQueue {
  private items: QueuedBroadcast[] = [];
  private counter = 0;

  constructor(private readonly retransmitMult: number) {}

  get length(): number {
    return this.items.length;
  }

  queue(key: string, encoded: Buffer): void {
    this.items = this.items.filter((item) => item.key !== key);
    this.items.push({ key, encoded, transmits: 0, order: this.counter++ });
  }

  /**
   * Takes broadcasts that fit in `budget` bytes (each costing its size plus `perItemOverhead`), least
   * transmitted and then newest first, and counts a transmission for each.
   */
  take(budget: number, memberCount: number, perItemOverhead = 0): Buffer[] {
    if (this.items.length === 0) return [];
    const limit = this.retransmitMult * Math.ceil(Math.log10(memberCount + 1));
    this.items.sort((a, b) => a.transmits - b.transmits || b.order - a.order);
    const out: Buffer[] = [];
    let remaining = budget;
    for (const item of this.items) {
      const cost = item.encoded.length + perItemOverhead;
      if (cost > remaining) continue;
      remaining -= cost;
      out.push(item.encoded);
      item.transmits++;
    }
    this.items = this.items.filter((item) => item.transmits < Math.max(1, limit));
    return out;
  }
}

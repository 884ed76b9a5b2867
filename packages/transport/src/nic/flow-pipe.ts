import { TokenBucket } from './token-bucket.js';
import type { FlowPolicy } from './rules.js';

export interface FlowPipeOptions {
  /** The policy in force now (null = no rule: bytes pass straight through). */
  policy: () => FlowPolicy | null;
  /** Hands a chunk downstream; false means downstream is full and `resume()` will follow. */
  deliver: (chunk: Buffer) => boolean;
  /** Called when the queue falls back below half the high-water mark after having reached it. */
  onDrained: () => void;
  /** Called with +n/-n as bytes are held/released, for the NIC's gauges. */
  onHeld: (delta: number) => void;
  highWaterBytes: number;
  random: () => number;
  now: () => number;
}

interface QueuedChunk {
  chunk: Buffer;
  readyAt: number;
}

/**
 * One direction of one TCP connection through the NIC: an ordered, bounded queue that applies
 * block/delay/loss/rate to the byte stream. Chunks leave strictly in arrival order. When the queue
 * reaches its high-water mark `push` returns false and the caller stops feeding it (pauses the socket
 * or holds the writer's callback) until `onDrained`, so a blocked or slow peer never makes anyone
 * buffer without bound.
 */
export class FlowPipe {
  private queue: QueuedChunk[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastReadyAt = 0;
  private downstreamFull = false;
  private aboveHighWater = false;
  private timer: NodeJS.Timeout | null = null;
  private bucket: TokenBucket | null = null;
  private emptyWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: FlowPipeOptions) {}

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** Accepts a chunk. Returns false when the caller should stop pushing until `onDrained`. */
  push(chunk: Buffer): boolean {
    if (this.closed) return false;
    const policy = this.options.policy();
    if (policy === null && this.head === this.queue.length && !this.downstreamFull) {
      if (!this.options.deliver(chunk)) this.downstreamFull = true;
      return true;
    }
    const now = this.options.now();
    let readyAt = now;
    if (policy !== null) {
      readyAt += policy.delayMs;
      if (policy.jitterMs > 0) readyAt += (this.options.random() * 2 - 1) * policy.jitterMs;
      if (policy.loss > 0 && this.options.random() < policy.loss) readyAt += policy.retransmitMs;
    }
    // TCP never reorders: a chunk is never released before the one ahead of it.
    readyAt = Math.max(readyAt, now, this.lastReadyAt);
    this.lastReadyAt = readyAt;
    this.queue.push({ chunk, readyAt });
    this.queuedBytes += chunk.length;
    this.options.onHeld(chunk.length);
    this.pump();
    if (this.queuedBytes >= this.options.highWaterBytes) {
      this.aboveHighWater = true;
      return false;
    }
    return true;
  }

  /** Downstream has room again. */
  resume(): void {
    this.downstreamFull = false;
    this.pump();
  }

  /** The rules changed: re-evaluate the head now (a lifted block releases held bytes at once). */
  wake(): void {
    this.clearTimer();
    this.pump();
  }

  /** Calls `callback` once nothing is queued any more: all delivered, or discarded by `close`. */
  whenEmpty(callback: () => void): void {
    if (this.closed || this.head === this.queue.length) callback();
    else this.emptyWaiters.push(callback);
  }

  /** Discards what is queued (the connection is gone) and stops for good. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    if (this.queuedBytes > 0) this.options.onHeld(-this.queuedBytes);
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private pump(): void {
    if (this.closed || this.timer !== null) return;
    while (this.head < this.queue.length && !this.downstreamFull) {
      const policy = this.options.policy();
      if (policy?.blocked) break; // held until wake()
      const next = this.queue[this.head];
      const now = this.options.now();
      if (next.readyAt > now) {
        this.schedule(next.readyAt - now);
        break;
      }
      let piece = next.chunk;
      if (policy !== null && policy.rateBytesPerSec > 0) {
        // TLS hands down whole flights of records at once; send them at most a burst at a time so
        // the rate holds at every scale, not just on average.
        if (piece.length > policy.burstBytes) piece = piece.subarray(0, policy.burstBytes);
        const bucket = this.rateBucket(policy, now);
        const wait = bucket.waitMs(piece.length, now);
        if (wait > 0) {
          this.schedule(wait);
          break;
        }
        bucket.take(piece.length);
      } else {
        this.bucket = null;
      }
      if (piece === next.chunk) this.dequeue();
      else this.consumeHead(piece.length);
      if (!this.options.deliver(piece)) this.downstreamFull = true;
      if (this.closed) return;
    }
    this.afterProgress();
  }

  private dequeue(): void {
    const { chunk } = this.queue[this.head];
    this.head++;
    this.queuedBytes -= chunk.length;
    this.options.onHeld(-chunk.length);
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Releases the first `bytes` of the head chunk, leaving the rest queued in place. */
  private consumeHead(bytes: number): void {
    const head = this.queue[this.head];
    head.chunk = head.chunk.subarray(bytes);
    this.queuedBytes -= bytes;
    this.options.onHeld(-bytes);
  }

  private afterProgress(): void {
    if (this.aboveHighWater && this.queuedBytes < this.options.highWaterBytes / 2) {
      this.aboveHighWater = false;
      this.options.onDrained();
    }
    if (this.head === this.queue.length && this.emptyWaiters.length > 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  private rateBucket(policy: FlowPolicy, now: number): TokenBucket {
    if (this.bucket === null) this.bucket = new TokenBucket(policy.rateBytesPerSec, policy.burstBytes, now);
    else this.bucket.reconfigure(policy.rateBytesPerSec, policy.burstBytes, now);
    return this.bucket;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, Math.ceil(delayMs)));
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

/**
 * A token bucket measured in bytes. A chunk may pass once the balance covers it (or, for a chunk
 * larger than the whole burst, once the bucket is full); `take` may then drive the balance negative
 * and the debt is paid back before the next chunk passes. So the long-run rate is exact without
 * splitting chunks, and N bytes never take less than (N − burst) / rate.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefill: number;

  constructor(
    private ratePerSec: number,
    private burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.lastRefill = now;
  }

  /** Adopts a new rate/burst (rules changed) without resetting the balance. */
  reconfigure(ratePerSec: number, burst: number, now: number): void {
    this.refill(now);
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Milliseconds until `bytes` may pass (0 = now). */
  waitMs(bytes: number, now: number): number {
    this.refill(now);
    const missing = Math.min(bytes, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.ratePerSec) * 1000);
  }

  /** True when `bytes` may pass right now. */
  fits(bytes: number, now: number): boolean {
    return this.waitMs(bytes, now) === 0;
  }

  take(bytes: number): void {
    this.tokens -= bytes;
  }

  private refill(now: number): void {
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSec);
      this.lastRefill = now;
    }
  }
}

// The bounded window of MsgApp in flight to one follower: pipelining without unbounded memory.

export class Inflights {
  private indexes: number[] = [];
  private sizes: number[] = [];
  private start = 0;
  private bytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = 0,
  ) {}

  get count(): number {
    return this.indexes.length - this.start;
  }

  /** Records a message whose last entry has `index` and whose entries weigh `bytes`. */
  add(index: number, bytes: number): void {
    this.indexes.push(index);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `to` (they were acknowledged). */
  freeLE(to: number): void {
    while (this.start < this.indexes.length && this.indexes[this.start] <= to) {
      this.bytes -= this.sizes[this.start];
      this.start++;
    }
    if (this.start > 64 && this.start * 2 > this.indexes.length) {
      this.indexes = this.indexes.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }

  full(): boolean {
    return this.count >= this.capacity || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  reset(): void {
    this.indexes = [];
    this.sizes = [];
    this.start = 0;
    this.bytes = 0;
  }
}

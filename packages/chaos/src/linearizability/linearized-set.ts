// The set of operations already linearized on the current search path, as a bitset with an
// incrementally kept Zobrist hash of its definite part (two independent 32-bit halves: the cache
// looks points up by definite ops and state, then compares indeterminate ops) and a trimmed window.
//
// Definite (ok) operations get ids in invoke order and live in the first region; as the search
// advances, a prefix of them is all ones and a suffix all zeros, so the cache stores only the
// words in between (`lo`..`hi`). Indeterminate operations live in a second, small region stored
// whole: they may stay unlinearized for the rest of the history, which would pin the window open.

const FULL = 0xffffffff;

export class LinearizedSet {
  readonly words: Uint32Array;
  /** Words in the ok region; the info region starts here. */
  readonly okWords: number;
  readonly infoWords: number;
  /** Ok region: words before `lo` are all ones, words from `hi` on are zero. */
  lo = 0;
  hi = 0;
  h1 = 0;
  h2 = 0;
  private readonly bitOf: Int32Array;

  constructor(
    okCount: number,
    infoCount: number,
    private readonly zobrist1: Int32Array,
    private readonly zobrist2: Int32Array,
  ) {
    this.okWords = Math.ceil(okCount / 32);
    this.infoWords = Math.ceil(infoCount / 32);
    this.words = new Uint32Array(this.okWords + this.infoWords);
    this.bitOf = new Int32Array(okCount + infoCount);
    for (let id = 0; id < okCount + infoCount; id++) this.bitOf[id] = id < okCount ? id : this.okWords * 32 + (id - okCount);
  }

  has(id: number): boolean {
    const bit = this.bitOf[id];
    return (this.words[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  add(id: number): void {
    const bit = this.bitOf[id];
    const w = bit >>> 5;
    this.words[w] |= 1 << (bit & 31);
    if (w >= this.okWords) return;
    this.h1 ^= this.zobrist1[id];
    this.h2 ^= this.zobrist2[id];
    if (w >= this.hi) this.hi = w + 1;
    while (this.lo < this.okWords && this.words[this.lo] === FULL) this.lo++;
  }

  remove(id: number): void {
    const bit = this.bitOf[id];
    const w = bit >>> 5;
    this.words[w] &= ~(1 << (bit & 31));
    if (w >= this.okWords) return;
    this.h1 ^= this.zobrist1[id];
    this.h2 ^= this.zobrist2[id];
    if (w < this.lo) this.lo = w;
    if (w === this.hi - 1 && this.words[w] === 0) {
      this.hi--;
      while (this.hi > 0 && this.words[this.hi - 1] === 0) this.hi--;
    }
  }

  /** Words of the ok region worth storing: [lo, windowEnd). */
  windowEnd(): number {
    return this.hi > this.lo ? this.hi : this.lo;
  }
}

/** Per-operation random keys for the Zobrist hash, from a fixed seed so runs are repeatable. */
export function zobristKeys(count: number, seed: number): Int32Array {
  const out = new Int32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    // splitmix32
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out[i] = z ^ (z >>> 16);
  }
  return out;
}

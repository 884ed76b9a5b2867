// Porcupine's cache of visited search points, extended with subsumption. A point is (definite ops
// linearized, indeterminate ops used, register state, key). A visited point covers a new one when
// both have the same definite ops, state and key and the visited one used a subset of the
// indeterminate ops: it can do all the new one can (an unused indeterminate op may simply never
// take effect), so the new one needs no search. Since covering is a simulation and success (every
// definite op linearized) is closed under it, pruning covered points keeps the verdict exact.
//
// Compact: an open-addressing table (hashed on the definite part and state only, so points that
// differ in indeterminate ops meet in one probe run) of references into chunked Int32 storage.
// Entry layout: h1, h2, state, lo, len, definite-window words (len), indeterminate words.

import type { LinearizedSet } from './linearized-set.js';

// Storage chunks start small (a short history should not pay for a big one) and double up to
// 16 MiB; a reference is chunk index << CHUNK_BITS | offset.
const CHUNK_BITS = 22;
const CHUNK_INTS = 1 << CHUNK_BITS;
const FIRST_CHUNK_INTS = 1 << 14;
const HEADER = 5;

export class StateCache {
  private slots = new Int32Array(1 << 12);
  private mask = this.slots.length - 1;
  private readonly chunks: Int32Array[] = [];
  private chunkIndex = -1;
  private used = 0;
  size = 0;
  /** Memory the cache holds, in bytes. */
  bytes = this.slots.byteLength;

  constructor(private readonly infoWords: number) {}

  private static slotOf(h1: number, key: number, mask: number): number {
    return (h1 ^ Math.imul(key + 1, 0x9e3779b1)) & mask;
  }

  /** Whether a visited point with this definite set and key used no more indeterminate ops. */
  covers(set: LinearizedSet, key: number): boolean {
    const mask = this.mask;
    for (let slot = StateCache.slotOf(set.h1, key, mask); ; slot = (slot + 1) & mask) {
      const ref = this.slots[slot];
      if (ref === 0) return false;
      if (this.coveredBy(ref - 1, set, key)) return true;
    }
  }

  add(set: LinearizedSet, key: number): void {
    const mask = this.mask;
    let slot = StateCache.slotOf(set.h1, key, mask);
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = this.store(set, key) + 1;
    this.size++;
    if (this.size * 2 > this.slots.length) this.grow();
  }

  private coveredBy(ref: number, set: LinearizedSet, key: number): boolean {
    const chunk = this.chunks[ref >>> CHUNK_BITS];
    let p = ref & (CHUNK_INTS - 1);
    if (chunk[p] !== set.h1 || chunk[p + 1] !== set.h2 || chunk[p + 2] !== key || chunk[p + 3] !== set.lo) return false;
    const lo = set.lo;
    const len = set.windowEnd() - lo;
    if (chunk[p + 4] !== len) return false;
    p += HEADER;
    const words = set.words;
    for (let i = 0; i < len; i++) if (chunk[p + i] !== (words[lo + i] | 0)) return false;
    p += len;
    const info = set.okWords;
    for (let i = 0; i < this.infoWords; i++) if ((chunk[p + i] & ~words[info + i]) !== 0) return false;
    return true;
  }

  private store(set: LinearizedSet, key: number): number {
    const lo = set.lo;
    const len = set.windowEnd() - lo;
    const need = HEADER + len + this.infoWords;
    if (need > CHUNK_INTS) throw new Error(`a cache entry of ${need} words does not fit a ${CHUNK_INTS}-word chunk`);
    if (this.chunkIndex < 0 || this.used + need > this.chunks[this.chunkIndex].length) {
      const size = Math.min(CHUNK_INTS, Math.max(need, FIRST_CHUNK_INTS * 2 ** this.chunks.length));
      this.chunks.push(new Int32Array(size));
      this.bytes += size * 4;
      this.chunkIndex++;
      this.used = 0;
    }
    const chunk = this.chunks[this.chunkIndex];
    const ref = this.chunkIndex * CHUNK_INTS + this.used;
    let p = this.used;
    chunk[p] = set.h1;
    chunk[p + 1] = set.h2;
    chunk[p + 2] = key;
    chunk[p + 3] = lo;
    chunk[p + 4] = len;
    p += HEADER;
    const words = set.words;
    for (let i = 0; i < len; i++) chunk[p + i] = words[lo + i];
    p += len;
    for (let i = 0; i < this.infoWords; i++) chunk[p + i] = words[set.okWords + i];
    this.used += need;
    return ref;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.bytes += old.byteLength;
    this.mask = this.slots.length - 1;
    for (const ref of old) {
      if (ref === 0) continue;
      const chunk = this.chunks[(ref - 1) >>> CHUNK_BITS];
      const p = (ref - 1) & (CHUNK_INTS - 1);
      let slot = StateCache.slotOf(chunk[p], chunk[p + 2], this.mask);
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = ref;
    }
  }
}

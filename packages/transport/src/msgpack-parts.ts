// MessagePack containers written a piece at a time: a container's header is written by hand and
// its elements follow, each packed on its own — a gossip packet filled message by message, a Raft
// snapshot of a big store packed in slices with the event loop served between them and
// concatenated once. Any MessagePack reader sees the same value as if the whole had been packed
// at once.

function checkLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`MessagePack length out of range: ${n}`);
}

/** A length after its type byte: 16 bits when it fits, else 32. */
function sized(code16: number, code32: number, n: number): Buffer {
  if (n <= 0xffff) return Buffer.of(code16, n >> 8, n & 0xff);
  const b = Buffer.allocUnsafe(5);
  b[0] = code32;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The header of a map with `n` entries (keys and values follow, alternating). */
export function mapHeader(n: number): Buffer {
  checkLength(n);
  return n <= 15 ? Buffer.of(0x80 | n) : sized(0xde, 0xdf, n);
}

/** The header of an array of `n` elements. */
export function arrayHeader(n: number): Buffer {
  checkLength(n);
  return n <= 15 ? Buffer.of(0x90 | n) : sized(0xdc, 0xdd, n);
}

/** The header of a binary string of `n` bytes (bin 8/16/32). */
export function binHeader(n: number): Buffer {
  checkLength(n);
  return n <= 0xff ? Buffer.of(0xc4, n) : sized(0xc5, 0xc6, n);
}

/** An array as packed on its own, without its header: the elements, ready to follow another header. */
export function arrayElements(packedArray: Uint8Array): Uint8Array {
  const first = packedArray[0];
  if (first >= 0x90 && first <= 0x9f) return packedArray.subarray(1);
  if (first === 0xdc) return packedArray.subarray(3);
  if (first === 0xdd) return packedArray.subarray(5);
  throw new Error(`not a packed array (first byte 0x${first?.toString(16)})`);
}

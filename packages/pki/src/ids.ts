import { randomFillSync } from 'node:crypto';
import { bytesToBigInt } from './encoding.js';

const RANDOM_ID_ENTROPY_BYTES = 17;
const MAX_RANDOM_ID_LENGTH = 25;

/**
 * SwarmKit identity.NewID: 17 random bytes with the top bit set (so the base36 text always has
 * 27 digits and needs no padding), rendered in lowercase base36, characters [1:26].
 */
export function newIdentityId(): string {
  const bytes = takeRandom(RANDOM_ID_ENTROPY_BYTES);
  bytes[0] |= 0x80;
  return bytesToBigInt(bytes).toString(36).slice(1, MAX_RANDOM_ID_LENGTH + 1);
}

// One call into the CSPRNG per ~240 IDs instead of one per ID (a write path creates IDs often).
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

/** `n` fresh bytes from the CSPRNG (copied out of a pool refilled with randomFillSync). */
function takeRandom(n: number): Buffer {
  if (poolUsed + n > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const out = Buffer.from(pool.subarray(poolUsed, poolUsed + n));
  poolUsed += n;
  return out;
}

const IDENTITY_ID = /^[0-9a-z]{25}$/;

/** True for strings shaped like newIdentityId() output. */
export function isIdentityId(value: string): boolean {
  return IDENTITY_ID.test(value);
}

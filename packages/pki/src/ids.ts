import { randomBytes } from 'node:crypto';
import { bytesToBigInt } from './encoding.js';

const RANDOM_ID_ENTROPY_BYTES = 17;
const MAX_RANDOM_ID_LENGTH = 25;

/**
 * SwarmKit identity.NewID: 17 random bytes with the top bit set (so the base36 text always has
 * 27 digits and needs no padding), rendered in lowercase base36, characters [1:26].
 */
export function newIdentityId(): string {
  const bytes = randomBytes(RANDOM_ID_ENTROPY_BYTES);
  bytes[0] |= 0x80;
  return bytesToBigInt(bytes).toString(36).slice(1, MAX_RANDOM_ID_LENGTH + 1);
}

const IDENTITY_ID = /^[0-9a-z]{25}$/;

/** True for strings shaped like newIdentityId() output. */
export function isIdentityId(value: string): boolean {
  return IDENTITY_ID.test(value);
}

import { randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';

/** SwarmKit encryption.humanReadablePrefix. */
const UNLOCK_KEY_PREFIX = 'SWMKEY-1-';
const KEK_BYTES = 32;
const RAW_STD_BASE64 = /^[A-Za-z0-9+/]*$/;

/** A fresh manager unlock key (KEK): 32 random bytes, as the leader generates it. */
export function generateKek(): Buffer {
  return randomBytes(KEK_BYTES);
}

/** SwarmKit HumanReadableKey: `SWMKEY-1-` + base64 (standard alphabet, no `=` padding). */
export function formatUnlockKey(key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length === 0) throw new PkiError('unlock key bytes must be a non-empty buffer');
  return UNLOCK_KEY_PREFIX + Buffer.from(key).toString('base64').replace(/=+$/, '');
}

/** A fresh unlock key in its human-readable form. */
export function generateUnlockKey(): string {
  return formatUnlockKey(generateKek());
}

function invalidKeyString(): PkiError {
  // The daemon shows SwarmKit's error text verbatim (InvalidParameter).
  return new PkiError('invalid key string', { code: 'INVALID_UNLOCK_KEY' });
}

/**
 * SwarmKit ParseHumanReadableKey: the prefix must be present and the rest must be unpadded standard
 * base64; otherwise "invalid key string". Like SwarmKit it does not check the length: a key of the
 * wrong size simply fails to unlock ("invalid key provided").
 */
export function parseUnlockKey(text: string): Buffer {
  if (typeof text !== 'string' || !text.startsWith(UNLOCK_KEY_PREFIX)) throw invalidKeyString();
  const body = text.slice(UNLOCK_KEY_PREFIX.length).replace(/[\r\n]/g, ''); // Go's decoder skips newlines
  if (body.length === 0 || !RAW_STD_BASE64.test(body) || body.length % 4 === 1) throw invalidKeyString();
  return Buffer.from(body, 'base64');
}

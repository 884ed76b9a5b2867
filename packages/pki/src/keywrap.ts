import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';

// Authenticated encryption for key material and records: AES-256-GCM.
// Layout: [format 0x01][12-byte nonce][ciphertext][16-byte tag]. (SwarmKit uses NaCl secretbox,
// which Node does not ship; GCM gives the same guarantee: a wrong key is detected, never decrypted.)
const FORMAT_AES256_GCM = 0x01;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_AAD = Buffer.from('swarmlab key wrap v1');

/** A fresh data encryption key (e.g. the raft DEK): 32 random bytes. */
export function generateDataEncryptionKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function checkKey(key: unknown, what: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new PkiError(`${what} must be ${KEY_BYTES} bytes`);
  }
}

/** Encrypts and authenticates `plaintext` under a 32-byte key; `aad` is authenticated, not stored. */
export function encryptWithKey(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Buffer {
  checkKey(key, 'encryption key');
  if (!(plaintext instanceof Uint8Array)) throw new PkiError('plaintext must be a buffer');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_AES256_GCM]), nonce, body, cipher.getAuthTag()]);
}

/** Reverses encryptWithKey; a wrong key or any altered byte throws PkiError INVALID_KEK. */
export function decryptWithKey(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Buffer {
  if (!(sealed instanceof Uint8Array) || sealed.length < 1 + NONCE_BYTES + TAG_BYTES) {
    throw new PkiError('encrypted data is truncated', { code: 'INVALID_KEK' });
  }
  if (sealed[0] !== FORMAT_AES256_GCM) {
    throw new PkiError(`unknown encryption format ${sealed[0]}`, { code: 'INVALID_KEK' });
  }
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new PkiError('unable to decrypt: invalid key provided', { code: 'INVALID_KEK' });
  }
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const nonce = buf.subarray(1, 1 + NONCE_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(1 + NONCE_BYTES, buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    throw new PkiError('unable to decrypt: invalid key provided or data corrupted', { code: 'INVALID_KEK', cause: err });
  }
}

/** Wraps a data key (e.g. the raft DEK) under the KEK (the unlock key). */
export function wrapKey(kek: Uint8Array, dataKey: Uint8Array): Buffer {
  checkKey(kek, 'KEK');
  if (!(dataKey instanceof Uint8Array) || dataKey.length === 0) throw new PkiError('data key must be a non-empty buffer');
  return encryptWithKey(kek, dataKey, WRAP_AAD);
}

/** Unwraps a data key; the wrong KEK throws PkiError INVALID_KEK ("invalid key provided"). */
export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  return decryptWithKey(kek, wrapped, WRAP_AAD);
}

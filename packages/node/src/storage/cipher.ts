// Authenticated encryption of every record written to disk: AES-256-GCM under the node's
// Raft DEK, with a fresh random 12-byte nonce per record. Sealed layout:
// nonce(12) ‖ ciphertext ‖ tag(16). The GCM tag catches both a wrong key and tampering.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StorageError } from './errors.js';

const ALGORITHM = 'aes-256-gcm';
export const DEK_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function checkDek(dek: Uint8Array, what = 'DEK'): Buffer {
  if (!(dek instanceof Uint8Array) || dek.length !== DEK_BYTES) {
    throw new StorageError('InvalidArgument', `raft: the ${what} must be ${DEK_BYTES} bytes`);
  }
  return Buffer.from(dek);
}

/**
 * Seals with one key and opens with any of several: during a DEK rotation SwarmKit keeps both
 * the current and the pending DEK, and data written under either must stay readable.
 */
export class RecordCipher {
  private readonly sealKey: Buffer;
  private readonly openKeys: Buffer[];

  constructor(dek: Uint8Array, otherDeks: readonly Uint8Array[] = []) {
    this.sealKey = checkDek(dek);
    this.openKeys = [this.sealKey, ...otherDeks.map((k) => checkDek(k, 'extra DEK'))];
  }

  seal(plaintext: Uint8Array): Buffer {
    const sealer = this.sealInPieces();
    return Buffer.concat([sealer.nonce, sealer.update(plaintext), sealer.final()]);
  }

  /**
   * seal() for a record fed in pieces (a snapshot of many megabytes is never held twice): the
   * nonce, then each piece's ciphertext, then the tail and tag, concatenate to seal()'s layout.
   */
  sealInPieces(): { nonce: Buffer; update(piece: Uint8Array): Buffer; final(): Buffer } {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.sealKey, nonce);
    return { nonce, update: (piece) => cipher.update(piece), final: () => Buffer.concat([cipher.final(), cipher.getAuthTag()]) };
  }

  /** The plaintext, or undefined when no key authenticates the record. */
  open(sealed: Uint8Array): Buffer | undefined {
    if (sealed.length < SEAL_OVERHEAD) return undefined;
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    for (let i = 0; i < this.openKeys.length; i++) {
      const plain = tryOpen(this.openKeys[i], nonce, body, tag);
      if (plain) {
        // Most records are under one key: try it first next time.
        if (i > 0) this.openKeys.unshift(...this.openKeys.splice(i, 1));
        return plain;
      }
    }
    return undefined;
  }
}

function tryOpen(key: Buffer, nonce: Uint8Array, body: Uint8Array, tag: Uint8Array): Buffer | undefined {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

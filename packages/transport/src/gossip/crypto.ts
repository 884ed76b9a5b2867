import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/**
 * memberlist's packet encryption, version 1 (what NetworkDB uses with ProtocolVersion 2):
 * [0x01][12-byte random nonce][AES-GCM ciphertext][16-byte tag], no padding, and the packet label as
 * additional authenticated data (NetworkDB sets none, so the AAD is empty).
 */
export const ENCRYPTION_VERSION = 1;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const ENCRYPTION_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

export type DecryptFailure = 'too-short' | 'bad-version' | 'auth-failed';

/** Random bytes for nonces, drawn from the CSPRNG a pool at a time: one call per 340 packets. */
const noncePool = Buffer.alloc(NONCE_BYTES * 340);
let noncePoolUsed = noncePool.length;

export function encryptPacket(key: Buffer, plaintext: Buffer): Buffer {
  const packet = Buffer.allocUnsafe(ENCRYPTION_OVERHEAD + plaintext.length);
  packet[0] = ENCRYPTION_VERSION;
  if (noncePoolUsed === noncePool.length) {
    randomFillSync(noncePool);
    noncePoolUsed = 0;
  }
  noncePool.copy(packet, 1, noncePoolUsed, noncePoolUsed + NONCE_BYTES);
  noncePoolUsed += NONCE_BYTES;
  const cipher = createCipheriv('aes-128-gcm', key, packet.subarray(1, 1 + NONCE_BYTES));
  cipher.update(plaintext).copy(packet, 1 + NONCE_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(packet, packet.length - TAG_BYTES);
  return packet;
}

/** Tries every key (primary first). Returns the plaintext or why the packet was refused. */
export function decryptPacket(keys: readonly Buffer[], packet: Buffer): Buffer | DecryptFailure {
  if (packet.length < ENCRYPTION_OVERHEAD) return 'too-short';
  if (packet[0] !== ENCRYPTION_VERSION) return 'bad-version';
  const nonce = packet.subarray(1, 1 + NONCE_BYTES);
  const body = packet.subarray(1 + NONCE_BYTES, packet.length - TAG_BYTES);
  const tag = packet.subarray(packet.length - TAG_BYTES);
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-128-gcm', key, nonce);
      decipher.setAuthTag(tag);
      const plaintext = decipher.update(body);
      decipher.final();
      return plaintext;
    } catch {
      // Wrong key (or tampered packet): try the next one.
    }
  }
  return 'auth-failed';
}

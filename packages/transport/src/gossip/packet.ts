import type { Packr, Unpackr } from 'msgpackr';
import { createPackr, createUnpackr } from '../codec.js';
import { arrayHeader } from '../msgpack-parts.js';
import { decryptPacket, ENCRYPTION_OVERHEAD, encryptPacket, type DecryptFailure } from './crypto.js';
import { fromWire, toWire, type GossipMessage } from './messages.js';

/** memberlist's UDPBufferSize: no packet we send is larger, and larger ones are not read. */
export const MAX_PACKET_BYTES = 1400;
/** Room for the messages themselves once encryption is added. */
export const MAX_PLAINTEXT_BYTES = MAX_PACKET_BYTES - ENCRYPTION_OVERHEAD;

export type PacketDropReason = DecryptFailure | 'oversized' | 'undecodable';

const packr: Packr = createPackr();
const unpackr: Unpackr = createUnpackr();

/** One message in wire form, encoded on its own so packets can be filled to an exact size. */
export function encodeMessage(message: GossipMessage): Buffer {
  return Buffer.from(packr.pack(toWire(message)));
}

/** Bytes the compound header takes for `count` messages. */
export function compoundHeaderBytes(count: number): number {
  return arrayHeader(count).length;
}

/** Joins encoded messages into one plaintext compound and encrypts it with the primary key. */
export function sealPacket(key: Buffer, encodedMessages: readonly Buffer[]): Buffer {
  const plaintext = Buffer.concat([arrayHeader(encodedMessages.length), ...encodedMessages]);
  return encryptPacket(key, plaintext);
}

/**
 * Decrypts and decodes a received packet. Never throws: anything that is not a well-formed packet
 * under one of our keys comes back as the reason it was dropped (which the caller counts).
 */
export function openPacket(keys: readonly Buffer[], packet: Buffer): GossipMessage[] | PacketDropReason {
  if (packet.length > MAX_PACKET_BYTES) return 'oversized';
  const plaintext = decryptPacket(keys, packet);
  if (typeof plaintext === 'string') return plaintext;
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(plaintext);
  } catch {
    return 'undecodable';
  }
  if (!Array.isArray(decoded) || decoded.length === 0) return 'undecodable';
  const messages: GossipMessage[] = [];
  for (const item of decoded as unknown[]) {
    const message = fromWire(item);
    if (!message) return 'undecodable';
    messages.push(message);
  }
  return messages;
}

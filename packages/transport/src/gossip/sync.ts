import type { Packr } from 'msgpackr';
import { syncEntryToWire, type SyncEntry } from './messages.js';
import { arrayHeader } from '../msgpack-parts.js';
import { MAX_PLAINTEXT_BYTES } from './packet.js';

/** Room for one sync message in a packet: the plaintext less the compound and sync headers. */
const ENTRY_BUDGET = MAX_PLAINTEXT_BYTES - 1 - 8;
const SYNC_TAG = 0x07;

/**
 * Encodes a member table as sync messages (push/pull and join), as many as it takes so each fits in
 * one packet. An entry too large for a packet on its own (it cannot be, with the 512-byte meta limit)
 * is left out rather than breaking the exchange.
 */
export function encodeSyncMessages(entries: readonly SyncEntry[], reply: boolean, packr: Packr): Buffer[] {
  const messages: Buffer[] = [];
  let batch: Buffer[] = [];
  let size = 0;
  const flush = (): void => {
    // [SYNC, reply, [entries...]] written by hand so the size is known before sealing.
    messages.push(Buffer.concat([Buffer.of(0x93, SYNC_TAG, reply ? 0xc3 : 0xc2), arrayHeader(batch.length), ...batch]));
    batch = [];
    size = 0;
  };
  for (const entry of entries) {
    const encoded = Buffer.from(packr.pack(syncEntryToWire(entry)));
    if (encoded.length > ENTRY_BUDGET) continue;
    if (size + encoded.length > ENTRY_BUDGET) flush();
    batch.push(encoded);
    size += encoded.length;
  }
  if (batch.length > 0) flush();
  return messages;
}

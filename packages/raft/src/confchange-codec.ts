// Conf changes travel inside log entries; this is their byte encoding.

import { Packr } from 'msgpackr';
import type { ConfChange } from './types.js';

const packr = new Packr({ useRecords: false });

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return packr.pack({ changes: cc.changes, transition: cc.transition ?? 'auto', context: cc.context });
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const cc = packr.unpack(data) as ConfChange;
  if (!cc || !Array.isArray(cc.changes)) throw new Error('raft: malformed conf change entry');
  return cc;
}

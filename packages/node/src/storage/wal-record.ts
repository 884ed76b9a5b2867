// The records a WAL holds and their msgpack encoding (before sealing). Replaying the records
// in order rebuilds exactly what MemoryStorage held: see replay.ts. Records are grouped: each
// sealed frame holds the records of one write (one group commit), so a write torn by a crash
// is lost as a whole and a save never comes back half-applied.

import { Packr } from 'msgpackr';
import type { Entry, EntryType, HardState } from '@swarmlab/raft';
import { StorageError } from './errors.js';

export type WalRecord =
  /** Appended entries; like MemoryStorage.append they replace any suffix from their first index. */
  | { kind: 'entries'; entries: Entry[] }
  | { kind: 'hardState'; hardState: HardState }
  /**
   * A snapshot was saved. `replacesLog` is true for a snapshot received from the leader
   * (MemoryStorage.applySnapshot discards the whole log), false for a local compaction
   * snapshot (entries after it stay).
   */
  | { kind: 'snapshot'; index: number; term: number; replacesLog: boolean };

const KIND_ENTRIES = 1;
const KIND_HARD_STATE = 2;
const KIND_SNAPSHOT = 3;

const ENTRY_TYPES: readonly EntryType[] = ['normal', 'confChange'];

export const packr = new Packr({ useRecords: false, moreTypes: false });

function recordTuple(r: WalRecord): unknown[] {
  switch (r.kind) {
    case 'entries':
      return [KIND_ENTRIES, r.entries.map((e) => [e.term, e.index, ENTRY_TYPES.indexOf(e.type), e.data])];
    case 'hardState':
      return [KIND_HARD_STATE, r.hardState.term, r.hardState.vote, r.hardState.commit];
    case 'snapshot':
      return [KIND_SNAPSHOT, r.index, r.term, r.replacesLog];
  }
}

export function encodeWalGroup(records: readonly WalRecord[]): Buffer {
  return packr.pack(records.map(recordTuple));
}

export function decodeWalGroup(plain: Uint8Array): WalRecord[] {
  let v: unknown;
  try {
    v = packr.unpack(plain);
  } catch (err) {
    throw malformed(`not msgpack (${(err as Error).message})`);
  }
  if (!Array.isArray(v)) throw malformed('not a record list');
  return v.map(decodeRecord);
}

function malformed(what: string): StorageError {
  return new StorageError('Corrupt', `raft: malformed WAL record: ${what}`);
}

export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A view on the same bytes as a plain Uint8Array, which is what the Raft core expects. */
export function plainBytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw malformed(`${what} is not binary`);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function decodeEntry(v: unknown): Entry {
  if (!Array.isArray(v) || v.length !== 4) throw malformed('entry shape');
  const [term, index, typeCode, data] = v;
  if (!isCount(term) || !isCount(index)) throw malformed('entry term/index');
  const type = ENTRY_TYPES[typeCode as number];
  if (type === undefined) throw malformed(`entry type ${String(typeCode)}`);
  return { term, index, type, data: plainBytes(data, 'entry data') };
}

function decodeRecord(v: unknown): WalRecord {
  if (!Array.isArray(v)) throw malformed('not an array');
  switch (v[0]) {
    case KIND_ENTRIES: {
      if (!Array.isArray(v[1])) throw malformed('entries list');
      const entries = v[1].map(decodeEntry);
      for (let i = 1; i < entries.length; i++) {
        if (entries[i].index !== entries[i - 1].index + 1) throw malformed('entries are not contiguous');
      }
      return { kind: 'entries', entries };
    }
    case KIND_HARD_STATE: {
      const [, term, vote, commit] = v;
      if (!isCount(term) || !isCount(vote) || !isCount(commit)) throw malformed('hard state');
      return { kind: 'hardState', hardState: { term, vote, commit } };
    }
    case KIND_SNAPSHOT: {
      const [, index, term, replacesLog] = v;
      if (!isCount(index) || !isCount(term) || typeof replacesLog !== 'boolean') throw malformed('snapshot marker');
      return { kind: 'snapshot', index, term, replacesLog };
    }
    default:
      throw malformed(`unknown kind ${String(v[0])}`);
  }
}

// Rebuilds the log from WAL records on top of the snapshot that was loaded: the same
// operations, in the same order, that MemoryStorage saw when the records were written.

import type { Entry, HardState } from '@swarmlab/raft';
import { StorageError } from './errors.js';
import type { WalRecord } from './wal-record.js';

export interface SnapshotPoint {
  index: number;
  term: number;
}

export interface ReplayedLog {
  hardState: HardState;
  /** Entries after the snapshot, contiguous from base.index + 1. */
  entries: Entry[];
}

const markerKey = (index: number, term: number) => `${index}/${term}`;

/** The snapshots the WAL says were saved completely (their marker is written after the file). */
export function snapshotMarkers(records: readonly WalRecord[]): (index: number, term: number) => boolean {
  const keys = new Set<string>();
  for (const r of records) if (r.kind === 'snapshot') keys.add(markerKey(r.index, r.term));
  return (index, term) => keys.has(markerKey(index, term));
}

function corrupt(message: string): StorageError {
  return new StorageError('Corrupt', `raft: ${message}`);
}

export function replay(records: readonly WalRecord[], base: SnapshotPoint): ReplayedLog {
  let hardState: HardState = { term: 0, vote: 0, commit: 0 };
  let entries: Entry[] = [];

  for (const r of records) {
    switch (r.kind) {
      case 'hardState':
        hardState = r.hardState;
        break;
      case 'snapshot':
        if (!r.replacesLog) break; // a compaction point: the log after it is unchanged
        if (r.index > base.index) {
          throw corrupt(
            `the WAL records a snapshot at index ${r.index} (term ${r.term}) but that snapshot file is missing or unreadable`,
          );
        }
        if (r.index === base.index && r.term !== base.term) {
          throw corrupt(`the WAL records snapshot ${r.index} with term ${r.term}, the snapshot file has term ${base.term}`);
        }
        // Like MemoryStorage.applySnapshot: everything appended before is gone.
        entries = [];
        break;
      case 'entries':
        entries = appendEntries(entries, r.entries, base.index);
        break;
    }
  }

  const lastIndex = base.index + entries.length;
  if (hardState.commit > lastIndex) {
    throw corrupt(`the hard state's commit index ${hardState.commit} is beyond the last log index ${lastIndex}`);
  }
  return { hardState, entries };
}

/** MemoryStorage.append on an array starting at baseIndex + 1: later entries replace a suffix. */
function appendEntries(log: Entry[], batch: readonly Entry[], baseIndex: number): Entry[] {
  if (batch.length === 0 || batch[batch.length - 1].index <= baseIndex) return log;
  const from = batch[0].index <= baseIndex ? baseIndex + 1 - batch[0].index : 0;
  const start = batch[from].index - (baseIndex + 1);
  if (start > log.length) {
    throw corrupt(
      `the WAL is missing entries ${baseIndex + log.length + 1}..${batch[from].index - 1} ` +
        `after the snapshot at index ${baseIndex}`,
    );
  }
  log.length = start;
  for (let i = from; i < batch.length; i++) log.push(batch[i]);
  return log;
}

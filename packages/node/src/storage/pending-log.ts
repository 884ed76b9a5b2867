// Checks each request against the log as it WILL be once everything already queued is applied,
// so a bad request is refused before anything reaches the disk and the WAL always replays to
// exactly what MemoryStorage holds.

import { errSnapOutOfDate, RaftError, type ConfState, type Entry, type HardState, type Snapshot } from '@swarmlab/raft';
import { StorageError } from './errors.js';
import { isCount } from './wal-record.js';

function invalid(message: string): StorageError {
  return new StorageError('InvalidArgument', `raft: ${message}`);
}

export class PendingLog {
  constructor(
    private lastIndex: number,
    private snapIndex: number,
  ) {}

  /** Validates a save and advances the projected log. */
  acceptSave(hardState: HardState | undefined, entries: readonly Entry[], snapshot: Snapshot | undefined): void {
    if (hardState) checkHardState(hardState);
    let lastIndex = this.lastIndex;
    let snapIndex = this.snapIndex;
    if (snapshot) {
      checkSnapshot(snapshot);
      if (snapshot.metadata.index <= snapIndex) throw errSnapOutOfDate();
      snapIndex = lastIndex = snapshot.metadata.index;
    }
    if (entries.length > 0) {
      checkEntries(entries);
      const first = entries[0].index;
      if (first <= snapIndex) {
        throw invalid(`cannot append entry ${first}: it is covered by the snapshot at index ${snapIndex}`);
      }
      if (first > lastIndex + 1) {
        throw new RaftError('Unavailable', `missing log entry [last: ${lastIndex}, append at: ${first}]`);
      }
      lastIndex = entries[entries.length - 1].index;
    }
    this.lastIndex = lastIndex;
    this.snapIndex = snapIndex;
  }

  /** Validates a local snapshot at `index`; `acceptSnapshotAt` then records it. */
  checkSnapshotAt(index: number, confState: ConfState, data: Uint8Array): void {
    if (!isCount(index)) throw invalid(`invalid snapshot index ${index}`);
    checkConfState(confState);
    if (!(data instanceof Uint8Array)) throw invalid('snapshot data must be a Uint8Array');
    if (index <= this.snapIndex) throw errSnapOutOfDate();
    if (index > this.lastIndex) {
      throw new RaftError('Unavailable', `snapshot ${index} is out of bound lastindex(${this.lastIndex})`);
    }
  }

  acceptSnapshotAt(index: number, confState: ConfState, data: Uint8Array): void {
    this.checkSnapshotAt(index, confState, data);
    this.snapIndex = index;
  }
}

function checkHardState(hs: HardState): void {
  if (!isCount(hs.term) || !isCount(hs.vote) || !isCount(hs.commit)) {
    throw invalid(`invalid hard state ${JSON.stringify(hs)}`);
  }
}

function checkSnapshot(s: Snapshot): void {
  const { index, term, confState } = s.metadata;
  if (!isCount(index) || index === 0 || !isCount(term)) throw invalid(`invalid snapshot index/term ${index}/${term}`);
  checkConfState(confState);
  if (!(s.data instanceof Uint8Array)) throw invalid('snapshot data must be a Uint8Array');
}

function checkConfState(cs: ConfState): void {
  const ids = (v: unknown) => Array.isArray(v) && v.every(isCount);
  if (
    !cs ||
    !ids(cs.voters) ||
    !ids(cs.learners) ||
    !ids(cs.votersOutgoing) ||
    !ids(cs.learnersNext) ||
    typeof cs.autoLeave !== 'boolean'
  ) {
    throw invalid('invalid conf state');
  }
}

function checkEntries(entries: readonly Entry[]): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!isCount(e.index) || !isCount(e.term) || !(e.data instanceof Uint8Array)) {
      throw invalid(`invalid entry at position ${i}`);
    }
    if (e.type !== 'normal' && e.type !== 'confChange') throw invalid(`invalid entry type ${String(e.type)}`);
    if (i > 0 && e.index !== entries[i - 1].index + 1) {
      throw invalid(`entries are not contiguous (${entries[i - 1].index} then ${e.index})`);
    }
  }
}

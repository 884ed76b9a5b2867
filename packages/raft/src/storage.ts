// Stable storage as the core sees it (etcd-io/raft's Storage), and an in-memory implementation.
// Whatever the application has written here is what survives a crash.

import { errCompacted, errSnapOutOfDate, errUnavailable, RaftError } from './errors.js';
import { encodeConfChange } from './confchange-codec.js';
import { emptyConfState, entrySize, type ConfState, type Entry, type HardState, type NodeId, type Snapshot } from './types.js';

export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most maxBytes (always at least one). Throws Compacted/Unavailable. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of entry i; i may be the snapshot's index. Throws Compacted/Unavailable. */
  term(i: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

export function limitSize(ents: Entry[], maxBytes: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]);
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot;
  // ents[0] is a dummy entry standing for the snapshot's (index, term).
  private ents: Entry[];

  /** An empty storage: a node that joins an existing cluster and learns everything from it. */
  constructor() {
    this.snap = { metadata: { index: 0, term: 0, confState: emptyConfState() }, data: new Uint8Array() };
    this.ents = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array() }];
  }

  /**
   * The storage of a founding member of a new cluster. As in etcd, the initial membership is
   * written as committed AddNode entries at term 1, so a node that joins later and replays the
   * log from index 1 learns it too.
   */
  static bootstrap(voters: NodeId[]): MemoryStorage {
    const s = new MemoryStorage();
    s.append(
      voters.map((id, i) => ({
        term: 1,
        index: i + 1,
        type: 'confChange' as const,
        data: encodeConfChange({ changes: [{ type: 'addNode', nodeId: id }] }),
      })),
    );
    s.hardState = { term: 1, vote: 0, commit: voters.length };
    s.snap = { ...s.snap, metadata: { ...s.snap.metadata, confState: { ...emptyConfState(), voters: [...voters] } } };
    return s;
  }

  initialState() {
    return { hardState: { ...this.hardState }, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  hardStateNow(): HardState {
    return { ...this.hardState };
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset) throw errCompacted();
    if (hi > this.lastIndex() + 1) throw errUnavailable();
    // Only the dummy entry left.
    if (this.ents.length === 1) throw errUnavailable();
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  term(i: number): number {
    const offset = this.ents[0].index;
    if (i < offset) throw errCompacted();
    if (i - offset >= this.ents.length) throw errUnavailable();
    return this.ents[i - offset].term;
  }

  firstIndex(): number {
    return this.ents[0].index + 1;
  }

  lastIndex(): number {
    return this.ents[0].index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the contents with a snapshot received from the leader. */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) throw errSnapOutOfDate();
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 'normal', data: new Uint8Array() }];
  }

  /** Records a snapshot of the applied state at index i (i <= applied), for log compaction. */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.metadata.index) throw errSnapOutOfDate();
    const offset = this.ents[0].index;
    if (i > this.lastIndex()) {
      throw new RaftError('Unavailable', `snapshot ${i} is out of bound lastindex(${this.lastIndex()})`);
    }
    this.snap = { metadata: { index: i, term: this.ents[i - offset].term, confState }, data };
    return this.snap;
  }

  /** Discards entries before compactIndex; the entry at compactIndex becomes the dummy. */
  compact(compactIndex: number): void {
    const offset = this.ents[0].index;
    if (compactIndex <= offset) throw errCompacted();
    if (compactIndex > this.lastIndex()) {
      throw new RaftError('Unavailable', `compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`);
    }
    const i = compactIndex - offset;
    const dummy = { term: this.ents[i].term, index: this.ents[i].index, type: 'normal' as const, data: new Uint8Array() };
    this.ents = [dummy, ...this.ents.slice(i + 1)];
  }

  /** Appends entries, truncating any conflicting suffix. Entries must be contiguous. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0].index + entries.length - 1;
    if (last < first) return;
    // Drop what is already compacted.
    if (first > entries[0].index) entries = entries.slice(first - entries[0].index);
    const offset = entries[0].index - this.ents[0].index;
    if (offset > this.ents.length) {
      throw new RaftError('Unavailable', `missing log entry [last: ${this.lastIndex()}, append at: ${entries[0].index}]`);
    }
    // Truncate in place and push: copying the whole log on every append is quadratic.
    // Safe because entries() hands out slices, never this array.
    this.ents.length = offset;
    for (const e of entries) this.ents.push(e);
  }
}

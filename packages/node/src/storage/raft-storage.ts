// A manager's durable Raft storage: snapshot + encrypted WAL on disk, mirrored into the
// MemoryStorage the Raft core reads. Every change goes to disk first (fsynced) and only then
// into memory, so what the core sees as stable has survived any crash.

import { readdir, rm, rmdir } from 'node:fs/promises';
import { MemoryStorage, type ConfState, type Entry, type HardState, type Snapshot } from '@swarmlab/raft';
import { RecordCipher } from './cipher.js';
import { CommitQueue } from './commit-queue.js';
import { errClosed, StorageError } from './errors.js';
import { ensureDir } from './fs-util.js';
import { raftDir, snapDir, walDir } from './paths.js';
import { PendingLog } from './pending-log.js';
import { replay, snapshotMarkers } from './replay.js';
import { Snapshotter } from './snap.js';
import { DEFAULT_SEGMENT_BYTES, WalWriter, type Datasync } from './wal.js';
import { readWal, type WarningSink } from './wal-reader.js';
import type { WalRecord } from './wal-record.js';

/** SwarmKit's LogEntriesForSlowFollowers: entries kept in memory behind a snapshot. */
export const DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS = 500;
/** Entries per WAL record when the log is rewritten under a new key. */
const ROTATION_ENTRIES_PER_RECORD = 1024;

export interface RaftDiskStorageOptions {
  /**
   * Further keys that may decrypt existing data: SwarmKit keeps the current and the pending DEK
   * while a rotation is in progress, and a crash in the middle leaves data under both.
   */
  extraDeks?: Uint8Array[];
  /** Entries kept in memory behind a new snapshot, for followers that lag a little. */
  logEntriesForSlowFollowers?: number;
  /** WAL segment rollover size (etcd: 64 MiB). */
  segmentBytes?: number;
  /** How a WAL append is made durable; defaults to fdatasync (on the thread the append runs on). Tests count calls. */
  datasync?: Datasync;
  /** Receives recoverable problems (torn tail cut off, corrupt snapshot skipped). */
  onWarning?: WarningSink;
}

/** What a Raft `Ready` asks to persist. */
export interface SaveRequest {
  hardState?: HardState;
  entries?: Entry[];
  snapshot?: Snapshot;
  /**
   * False when only the commit index moved (Raft's mustSync is false): written without an
   * fsync, as etcd does — it survives a process crash, and losing it to a power cut only makes
   * the node re-learn the commit index.
   */
  sync?: boolean;
  /**
   * Fsync on libuv's thread pool instead of the calling thread: a leader writes its entries and
   * then sends them to its followers while the disk makes them durable.
   */
  background?: boolean;
}

export class RaftDiskStorage {
  private readonly queue: CommitQueue;
  private closed = false;
  /** The tail of the snapshot-directory operations (see inSnapshotDir). */
  private snapshotDir: Promise<void> = Promise.resolve();

  private constructor(
    /** The log as the Raft core reads it (the `Storage` interface). */
    readonly memory: MemoryStorage,
    private readonly wal: WalWriter,
    private readonly snapshotter: Snapshotter,
    private cipher: RecordCipher,
    private readonly pending: PendingLog,
    private readonly keepBehind: number,
    /** The snapshot file `memory.snapshot()` came from; every other one can be deleted. */
    private snapFile: string | undefined,
  ) {
    this.queue = new CommitQueue((records, sync, background) => this.wal.append(records, sync, background));
  }

  /** Loads the newest snapshot and replays the WAL after it; creates an empty store if none. */
  static async open(stateDir: string, dek: Uint8Array, opts: RaftDiskStorageOptions = {}): Promise<RaftDiskStorage> {
    const warn = opts.onWarning ?? ((m: string) => console.warn(m));
    const keepBehind = opts.logEntriesForSlowFollowers ?? DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS;
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(keepBehind) || keepBehind < 0) {
      throw new StorageError('InvalidArgument', `raft: invalid logEntriesForSlowFollowers ${keepBehind}`);
    }
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes <= 0) {
      throw new StorageError('InvalidArgument', `raft: invalid segmentBytes ${segmentBytes}`);
    }
    const cipher = new RecordCipher(dek, opts.extraDeks);
    const wdir = walDir(stateDir);
    const sdir = snapDir(stateDir);
    await ensureDir(wdir);
    await ensureDir(sdir);

    const contents = await readWal(wdir, cipher, warn);
    const snapshotter = new Snapshotter(sdir, warn);
    const loaded = await snapshotter.loadNewest(cipher, snapshotMarkers(contents.records));
    const base = loaded ? { index: loaded.snapshot.metadata.index, term: loaded.snapshot.metadata.term } : { index: 0, term: 0 };
    const log = replay(contents.records, base);

    const memory = new MemoryStorage();
    if (loaded) memory.applySnapshot(loaded.snapshot);
    memory.append(log.entries);
    memory.setHardState(log.hardState);

    const tail = { lastIndex: memory.lastIndex(), hardState: log.hardState };
    const wal = await WalWriter.open(wdir, contents, cipher, tail, {
      segmentBytes,
      datasync: opts.datasync,
    });
    const pending = new PendingLog(memory.lastIndex(), base.index);
    return new RaftDiskStorage(memory, wal, snapshotter, cipher, pending, keepBehind, loaded?.file);
  }

  /** Whether the state directory holds a Raft WAL (etcd's wal.Exist). */
  static async exists(stateDir: string): Promise<boolean> {
    try {
      return (await readdir(walDir(stateDir))).some((n) => n.endsWith('.wal'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Deletes the WAL and snapshots (leaving the swarm, or removal from the cluster). */
  static async wipe(stateDir: string): Promise<void> {
    await rm(walDir(stateDir), { recursive: true, force: true });
    await rm(snapDir(stateDir), { recursive: true, force: true });
    try {
      await rmdir(raftDir(stateDir));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY') throw err;
    }
  }

  /**
   * Persists a Ready's snapshot, entries and hard state, then applies them to `memory`.
   * Resolves once they are fsynced; concurrent calls share one write + fsync.
   */
  async save(req: SaveRequest): Promise<void> {
    this.checkOpen();
    const entries = req.entries ?? [];
    const hardState = req.hardState && { ...req.hardState };
    const snapshot = req.snapshot && req.snapshot.metadata.index > 0 ? req.snapshot : undefined;
    this.pending.acceptSave(hardState, entries, snapshot);

    const records: WalRecord[] = [];
    if (snapshot) {
      const { index, term } = snapshot.metadata;
      records.push({ kind: 'snapshot', index, term, replacesLog: true });
    }
    if (entries.length > 0) records.push({ kind: 'entries', entries });
    if (hardState) records.push({ kind: 'hardState', hardState });

    let snapFile: string | undefined;
    const written = this.queue.write({
      records,
      sync: req.sync !== false || entries.length > 0 || snapshot !== undefined,
      background: req.background,
      // The snapshot file goes first: its WAL record is what makes it count on the next open.
      prepare: snapshot
        ? async () => {
            snapFile = await this.inSnapshotDir(() => this.snapshotter.save(snapshot, this.cipher));
          }
        : undefined,
      apply: () => {
        if (snapshot) {
          this.memory.applySnapshot(snapshot);
          this.snapFile = snapFile;
        }
        this.memory.append(entries);
        if (hardState) this.memory.setHardState(hardState);
      },
    });
    if (!snapshot) return written;
    await Promise.all([written, this.queue.exclusive(() => this.dropBefore(snapshot.metadata.index))]);
  }

  /**
   * Snapshots the applied state at `index` (a committed index the caller has applied): writes
   * the snapshot file, records it in the WAL, compacts `memory` to keep
   * `logEntriesForSlowFollowers` entries behind it, deletes older snapshots and releases WAL
   * segments it covers. The new snapshot is then `memory.snapshot()`.
   */
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<void> {
    this.checkOpen();
    this.pending.checkSnapshotAt(index, confState, data);
    // The applied index is already in memory; a throw here leaves nothing half-done.
    const snapshot: Snapshot = { metadata: { index, term: this.memory.term(index), confState }, data };
    this.pending.acceptSnapshotAt(index, confState, data);

    // The file is written beside the WAL's queue, not in it: appends go on while megabytes go to
    // disk. Only its WAL record, written once the file is durable, makes it count on a reopen.
    const cipher = this.cipher;
    const snapFile = await this.inSnapshotDir(() => this.snapshotter.save(snapshot, cipher));
    await this.queue.exclusive(async () => {
      // Overtaken meanwhile by a snapshot from the leader, or written under a key just rotated
      // away (a reopen could not read it): dropped, the log stays as it is.
      if (index <= this.memory.snapshot().metadata.index || cipher !== this.cipher) {
        if (snapFile !== this.snapFile) await this.inSnapshotDir(() => this.snapshotter.remove(snapFile));
        return;
      }
      await this.wal.append([{ kind: 'snapshot', index, term: snapshot.metadata.term, replacesLog: false }]);
      this.memory.createSnapshot(index, confState, data);
      this.snapFile = snapFile;
      this.compactMemory(index - this.keepBehind);
      await this.dropBefore(index);
    });
  }

  /**
   * Discards in-memory entries before `compactIndex` (never past the snapshot) and releases WAL
   * segments the snapshot covers.
   */
  async compact(compactIndex: number): Promise<void> {
    this.checkOpen();
    if (!Number.isSafeInteger(compactIndex)) {
      throw new StorageError('InvalidArgument', `raft: invalid compact index ${compactIndex}`);
    }
    await this.queue.exclusive(async () => {
      this.compactMemory(Math.min(compactIndex, this.memory.snapshot().metadata.index));
      await this.wal.releaseTo(this.memory.snapshot().metadata.index);
    });
  }

  /**
   * Re-encrypts everything under `newDek`: the snapshot is rewritten and the WAL restarts in a
   * new segment that restates the hard state and the entries after the snapshot; every older
   * segment is then deleted. Keep the old DEK (as `extraDeks`) until this resolves.
   */
  async rotateDEK(newDek: Uint8Array): Promise<void> {
    this.checkOpen();
    const cipher = new RecordCipher(newDek);
    await this.queue.exclusive(async () => {
      const snap = this.memory.snapshot();
      const { index, term } = snap.metadata;
      const head: WalRecord[] = [];
      if (index > 0) {
        this.snapFile = await this.inSnapshotDir(() => this.snapshotter.save(snap, cipher));
        head.push({ kind: 'snapshot', index, term, replacesLog: false });
      }
      head.push({ kind: 'hardState', hardState: this.memory.hardStateNow() });
      const last = this.memory.lastIndex();
      for (let lo = index + 1; lo <= last; lo += ROTATION_ENTRIES_PER_RECORD) {
        const hi = Math.min(last + 1, lo + ROTATION_ENTRIES_PER_RECORD);
        head.push({ kind: 'entries', entries: this.memory.entries(lo, hi, Number.MAX_SAFE_INTEGER) });
      }
      await this.wal.rotate(cipher, head, index + 1);
      this.cipher = cipher;
      const keep = this.snapFile;
      if (keep) await this.inSnapshotDir(() => this.snapshotter.purgeExcept(keep));
    });
  }

  /** Names of the WAL segment files, oldest first. */
  walSegments(): string[] {
    return this.wal.segmentNames();
  }

  /** Waits for queued writes, then closes the WAL. Later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.exclusive(() => this.wal.close()).catch(() => this.wal.close());
  }

  /**
   * One snapshot-directory operation at a time: a purge also deletes the temp files a crash left
   * behind, so it must not run while a snapshot is being written beside the queue.
   */
  private inSnapshotDir<T>(run: () => Promise<T>): Promise<T> {
    const turn = this.snapshotDir.then(run);
    this.snapshotDir = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private checkOpen(): void {
    if (this.closed) throw errClosed();
  }

  private compactMemory(compactIndex: number): void {
    if (compactIndex > this.memory.firstIndex() - 1) this.memory.compact(compactIndex);
  }

  /** Once a snapshot is durable and recorded: older snapshot files and WAL segments can go. */
  private async dropBefore(snapIndex: number): Promise<void> {
    const keep = this.snapFile;
    if (keep) await this.inSnapshotDir(() => this.snapshotter.purgeExcept(keep));
    await this.wal.releaseTo(snapIndex);
  }
}

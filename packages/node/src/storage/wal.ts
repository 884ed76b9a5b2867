// The append side of the write-ahead log: sealed, checksummed records appended to numbered
// segment files, each append made durable with one datasync. Segments roll over at a size
// limit; the new one starts with the current hard state so older segments can be released
// once a snapshot covers them.
//
// Not reentrant: the commit queue (commit-queue.ts) calls append/rotate one at a time.

import { fdatasyncSync, ftruncateSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { HardState } from '@swarmlab/raft';
import type { RecordCipher } from './cipher.js';
import { StorageError } from './errors.js';
import { encodeFrame } from './frame.js';
import { fsyncDir, unlinkIfPresent, writeFileDurably } from './fs-util.js';
import { segmentFileName } from './paths.js';
import type { SegmentFile, WalContents } from './wal-reader.js';
import { encodeWalGroup, type WalRecord } from './wal-record.js';

/** etcd's SegmentSizeBytes. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/**
 * A segment is extended ahead of its writes, this much at a time, as etcd preallocates its
 * segments: a datasync of a write that grows the file must also commit the new file size to the
 * filesystem's journal, one inside the file's length need not (here: 95-130 µs against 160-190).
 * The extension is sparse (nothing is written), and never past the segment size, so a segment
 * that is complete has no unwritten tail; the reader takes the zeros after the last record of the
 * last segment for what they are.
 */
const PREALLOCATE_BYTES = 4 * 1024 * 1024;

export type Datasync = (fh: FileHandle) => void | Promise<void>;

export interface WalWriterOptions {
  segmentBytes: number;
  /** Makes appended data durable; injectable so tests can count and observe syncs. */
  datasync?: Datasync;
}

/** What the log looks like after everything written so far. */
export interface WalTail {
  lastIndex: number;
  hardState: HardState;
}

export class WalWriter {
  private failure: unknown;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private cipher: RecordCipher,
    private readonly opts: WalWriterOptions,
    private segments: SegmentFile[],
    private fh: FileHandle,
    private size: number,
    /** The file's length: `size` plus the preallocated, still unwritten part. */
    private allocated: number,
    private tail: WalTail,
  ) {}

  /** Continues the WAL that was read into `contents`, or starts one in an empty directory. */
  static async open(
    dir: string,
    contents: WalContents,
    cipher: RecordCipher,
    tail: WalTail,
    opts: WalWriterOptions,
  ): Promise<WalWriter> {
    const last = contents.segments.at(-1);
    if (last) {
      const fh = await open(path.join(dir, last.name), 'r+');
      const { size: length } = await fh.stat();
      return new WalWriter(dir, cipher, opts, [...contents.segments], fh, contents.lastSegmentSize, Math.max(length, contents.lastSegmentSize), { ...tail });
    }
    const first = { seq: 0, firstIndex: tail.lastIndex + 1 };
    const head: WalRecord[] = [{ kind: 'hardState', hardState: tail.hardState }];
    const { segment, fh, size } = await createSegment(dir, first, head, cipher);
    return new WalWriter(dir, cipher, opts, [segment], fh, size, size, { ...tail });
  }

  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  /**
   * Appends the records as one frame (all or nothing after a crash), then one datasync unless
   * `sync` is false (the data then survives a process crash, not a power loss).
   */
  async append(records: WalRecord[], sync = true, background = false): Promise<void> {
    this.checkUsable();
    if (records.length === 0) return;
    try {
      if (this.size >= this.opts.segmentBytes) await this.cut();
      const data = encodeFrame(this.cipher.seal(encodeWalGroup(records)));
      const end = this.size + data.length;
      if (end > this.allocated) {
        // The new length is made durable by this append's own datasync.
        this.allocated = Math.max(end, Math.min(end + PREALLOCATE_BYTES, this.opts.segmentBytes));
        ftruncateSync(this.fh.fd, this.allocated);
      }
      // The write only fills the page cache: inline, on the calling thread, it takes microseconds,
      // while a trip through libuv's thread pool costs two thread wake-ups each way (~0.1 ms
      // here). Only a background append's datasync, which does wait for the disk, goes to the pool.
      for (let done = 0; done < data.length; ) done += writeSync(this.fh.fd, data, done, data.length - done, this.size + done);
      this.size += data.length;
      if (sync) await (this.opts.datasync ?? (background ? (fh) => fh.datasync() : (fh) => fdatasyncSync(fh.fd)))(this.fh);
    } catch (err) {
      // The tail may now hold part of this batch; only a reopen (which cuts it off) is safe.
      this.failure = err;
      throw new StorageError('WriteFailed', `raft: WAL write failed: ${(err as Error).message}`, { cause: err });
    }
    for (const r of records) this.track(r);
  }

  /**
   * Deletes segments that only concern indexes up to `index` (a durable snapshot's index).
   * Returns how many were deleted. The current segment is never deleted.
   */
  async releaseTo(index: number): Promise<number> {
    let keepFrom = 0;
    for (let i = 0; i < this.segments.length; i++) {
      if (this.segments[i].firstIndex <= index + 1) keepFrom = i;
    }
    const released = this.segments.slice(0, keepFrom);
    this.segments = this.segments.slice(keepFrom);
    await this.deleteSegments(released);
    return released.length;
  }

  /**
   * Starts a new segment under another key holding `head` (which must restate everything after
   * the snapshot), then deletes every older segment so no data under the old key remains.
   */
  async rotate(cipher: RecordCipher, head: WalRecord[], firstIndex: number): Promise<void> {
    this.checkUsable();
    const current = this.segments[this.segments.length - 1];
    await this.trimCurrent();
    const created = await createSegment(this.dir, { seq: current.seq + 1, firstIndex }, head, cipher);
    const old = this.segments;
    await this.switchTo(created);
    this.cipher = cipher;
    this.segments = [created.segment];
    for (const r of head) this.track(r);
    await this.deleteSegments(old);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  private checkUsable(): void {
    if (this.failure !== undefined) {
      throw new StorageError(
        'WriteFailed',
        `raft: an earlier WAL write failed (${(this.failure as Error).message}); reopen the storage`,
        { cause: this.failure },
      );
    }
  }

  private async cut(): Promise<void> {
    const current = this.segments[this.segments.length - 1];
    const next = { seq: current.seq + 1, firstIndex: this.tail.lastIndex + 1 };
    const head: WalRecord[] = [{ kind: 'hardState', hardState: this.tail.hardState }];
    await this.trimCurrent();
    const created = await createSegment(this.dir, next, head, this.cipher);
    await this.switchTo(created);
    this.segments.push(created.segment);
  }

  /**
   * Cuts the unwritten space off the current segment before another one is created after it:
   * only the last segment may end in zeros (the reader refuses them anywhere else, even after a
   * crash between creating the next segment and switching to it).
   */
  private async trimCurrent(): Promise<void> {
    if (this.allocated <= this.size) return;
    await this.fh.truncate(this.size);
    await this.fh.datasync();
    this.allocated = this.size;
  }

  private async switchTo(created: { fh: FileHandle; size: number }): Promise<void> {
    const previous = this.fh;
    this.fh = created.fh;
    this.size = this.allocated = created.size;
    await previous.close();
  }

  private async deleteSegments(segments: SegmentFile[]): Promise<void> {
    if (segments.length === 0) return;
    for (const s of segments) await unlinkIfPresent(path.join(this.dir, s.name));
    await fsyncDir(this.dir);
  }

  private track(r: WalRecord): void {
    switch (r.kind) {
      case 'entries':
        if (r.entries.length > 0) this.tail.lastIndex = r.entries[r.entries.length - 1].index;
        break;
      case 'hardState':
        this.tail.hardState = { ...r.hardState };
        break;
      case 'snapshot':
        this.tail.lastIndex = r.replacesLog ? r.index : Math.max(this.tail.lastIndex, r.index);
        break;
    }
  }
}

async function createSegment(
  dir: string,
  name: { seq: number; firstIndex: number },
  head: WalRecord[],
  cipher: RecordCipher,
): Promise<{ segment: SegmentFile; fh: FileHandle; size: number }> {
  const segment = { ...name, name: segmentFileName(name.seq, name.firstIndex) };
  const file = path.join(dir, segment.name);
  // One frame per record: a rotation head restating a long log stays in bounded frames.
  const data = Buffer.concat(head.map((r) => encodeFrame(cipher.seal(encodeWalGroup([r])))));
  await writeFileDurably(file, data);
  const fh = await open(file, 'r+');
  return { segment, fh, size: data.length };
}

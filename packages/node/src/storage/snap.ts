// Snapshot files: `<term>-<index>.snap`, one sealed and checksummed frame each, written to a
// temp file, fsynced and renamed into place. Only the newest is kept (SwarmKit's default
// KeepOldSnapshots = 0), and only once the WAL records that it was saved.

import { readFile, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import type { ConfState, Snapshot } from '@swarmlab/raft';
import type { RecordCipher } from './cipher.js';
import { errSnapWrongKey } from './errors.js';
import { FRAME_HEADER_BYTES, scanFrames, writeFrameHeader } from './frame.js';
import { fsyncDir, listDirDroppingTemps, unlinkIfPresent, writeFileDurably } from './fs-util.js';
import { parseSnapFileName, snapFileName } from './paths.js';
import { arrayHeader, binHeader } from '@swarmlab/transport';
import { isCount, packr, plainBytes } from './wal-record.js';
import type { WarningSink } from './wal-reader.js';

export interface LoadedSnapshot {
  snapshot: Snapshot;
  file: string;
}

export class Snapshotter {
  constructor(
    private readonly dir: string,
    private readonly warn: WarningSink,
  ) {}

  /** Writes the snapshot durably and returns its file name. */
  async save(snap: Snapshot, cipher: RecordCipher): Promise<string> {
    const { index, term } = snap.metadata;
    const file = snapFileName(term, index);
    // packr.pack([index, term, confState, data]) without copying the data into it.
    const head = Buffer.concat([arrayHeader(4), packr.pack(index), packr.pack(term), packr.pack(encodeConfState(snap.metadata.confState)), binHeader(snap.data.length)]);
    await writeFileDurably(path.join(this.dir, file), (fh) => writeSealedFrame(fh, cipher, [head, snap.data]));
    return file;
  }

  /** Deletes one snapshot file (one that was written but never recorded). */
  async remove(file: string): Promise<void> {
    await unlinkIfPresent(path.join(this.dir, file));
    await fsyncDir(this.dir);
  }

  /**
   * The newest snapshot that the WAL confirms and that reads back intact. A damaged file is
   * skipped with a warning; one that is intact but does not decrypt means a wrong key.
   */
  async loadNewest(
    cipher: RecordCipher,
    confirmedByWal: (index: number, term: number) => boolean,
  ): Promise<LoadedSnapshot | undefined> {
    const candidates = (await this.list()).sort((a, b) => b.index - a.index || b.term - a.term);
    for (const c of candidates) {
      if (!confirmedByWal(c.index, c.term)) {
        this.warn(`raft: ignoring snapshot ${c.file}: the WAL has no record of it being saved completely`);
        continue;
      }
      const buf = await readFile(path.join(this.dir, c.file));
      const scan = scanFrames(buf);
      if (scan.damage !== undefined || scan.frames.length !== 1) {
        this.warn(`raft: skipping corrupt snapshot ${c.file} (${scan.damage ?? 'unexpected framing'})`);
        continue;
      }
      const plain = cipher.open(scan.frames[0].sealed);
      if (!plain) throw errSnapWrongKey(c.file);
      try {
        const snapshot = decodeSnapshot(plain);
        if (snapshot.metadata.index !== c.index || snapshot.metadata.term !== c.term) {
          throw new Error('contents do not match the file name');
        }
        return { snapshot, file: c.file };
      } catch (err) {
        this.warn(`raft: skipping corrupt snapshot ${c.file} (${(err as Error).message})`);
      }
    }
    return undefined;
  }

  /**
   * Deletes every snapshot file up to `keep`'s index except `keep` itself. A newer file may be
   * one being written (its WAL record not yet written): it stays.
   */
  async purgeExcept(keep: string): Promise<void> {
    const upTo = parseSnapFileName(keep)?.index ?? Number.POSITIVE_INFINITY;
    const doomed = (await this.list()).filter((c) => c.file !== keep && c.index <= upTo);
    for (const c of doomed) await unlinkIfPresent(path.join(this.dir, c.file));
    if (doomed.length > 0) await fsyncDir(this.dir);
  }

  private async list(): Promise<{ file: string; index: number; term: number }[]> {
    const out = [];
    for (const file of await listDirDroppingTemps(this.dir)) {
      const parsed = parseSnapFileName(file);
      if (parsed) out.push({ file, ...parsed });
      else this.warn(`raft: ignoring unexpected file ${file} in the snapshot directory`);
    }
    return out;
  }
}

/** Bytes sealed and written per step: the event loop runs between steps. */
const WRITE_SLICE_BYTES = 1 << 20;

/**
 * Writes one sealed frame (frame.ts) holding the concatenated pieces into `fh` from its start: the
 * plaintext is sealed and written a slice at a time, and the frame header (length, checksum),
 * known only at the end, goes in last.
 */
async function writeSealedFrame(fh: FileHandle, cipher: RecordCipher, pieces: Uint8Array[]): Promise<void> {
  let position = FRAME_HEADER_BYTES;
  let checksum = 0;
  const put = async (bytes: Uint8Array) => {
    checksum = crc32(bytes, checksum);
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position);
      done += bytesWritten;
      position += bytesWritten;
    }
  };
  const sealer = cipher.sealInPieces();
  await put(sealer.nonce);
  for (const piece of pieces) {
    for (let at = 0; at < piece.length; at += WRITE_SLICE_BYTES) await put(sealer.update(piece.subarray(at, at + WRITE_SLICE_BYTES)));
  }
  await put(sealer.final());
  await fh.write(writeFrameHeader(Buffer.allocUnsafe(FRAME_HEADER_BYTES), position - FRAME_HEADER_BYTES, checksum), 0, FRAME_HEADER_BYTES, 0);
}

function encodeConfState(cs: ConfState): unknown[] {
  return [cs.voters, cs.learners, cs.votersOutgoing, cs.learnersNext, cs.autoLeave];
}

function idList(v: unknown): number[] {
  if (!Array.isArray(v) || !v.every(isCount)) throw new Error('malformed node id list');
  return v as number[];
}

function decodeSnapshot(plain: Uint8Array): Snapshot {
  let v: unknown;
  try {
    v = packr.unpack(plain);
  } catch (err) {
    throw new Error(`not msgpack (${(err as Error).message})`);
  }
  if (!Array.isArray(v) || v.length !== 4) throw new Error('malformed snapshot');
  const [index, term, cs, data] = v;
  if (!isCount(index) || !isCount(term)) throw new Error('malformed snapshot index/term');
  if (!Array.isArray(cs) || cs.length !== 5 || typeof cs[4] !== 'boolean') throw new Error('malformed conf state');
  const confState: ConfState = {
    voters: idList(cs[0]),
    learners: idList(cs[1]),
    votersOutgoing: idList(cs[2]),
    learnersNext: idList(cs[3]),
    autoLeave: cs[4],
  };
  return { metadata: { index, term, confState }, data: plainBytes(data, 'snapshot data') };
}

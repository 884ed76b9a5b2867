// Reads every WAL segment at open. A damaged record in the LAST segment is a write torn by a
// crash: it was never acknowledged, so the tail is cut off there. Damage anywhere else means
// the disk lost data that was acknowledged, and opening fails rather than dropping it.

import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecordCipher } from './cipher.js';
import { errWalWrongKey, StorageError } from './errors.js';
import { scanFrames } from './frame.js';
import { listDirDroppingTemps } from './fs-util.js';
import { parseSegmentFileName, type SegmentName } from './paths.js';
import { decodeWalGroup, type WalRecord } from './wal-record.js';

export interface SegmentFile extends SegmentName {
  name: string;
}

export interface WalContents {
  /** In sequence order; empty when the directory holds no WAL yet. */
  segments: SegmentFile[];
  records: WalRecord[];
  /** Where the last segment's records end (after any torn tail was cut off; unwritten space may follow). */
  lastSegmentSize: number;
}

export type WarningSink = (message: string) => void;

export async function listSegments(dir: string, warn: WarningSink): Promise<SegmentFile[]> {
  const segments: SegmentFile[] = [];
  for (const name of await listDirDroppingTemps(dir)) {
    const parsed = parseSegmentFileName(name);
    if (parsed) segments.push({ name, ...parsed });
    else warn(`raft: ignoring unexpected file ${name} in the WAL directory`);
  }
  segments.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].seq !== segments[i - 1].seq + 1) {
      throw new StorageError(
        'Corrupt',
        `raft: WAL segments are not contiguous: ${segments[i - 1].name} is followed by ${segments[i].name}`,
      );
    }
  }
  return segments;
}

export async function readWal(dir: string, cipher: RecordCipher, warn: WarningSink): Promise<WalContents> {
  const segments = await listSegments(dir, warn);
  const records: WalRecord[] = [];
  let lastSegmentSize = 0;

  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s];
    const isLast = s === segments.length - 1;
    const file = path.join(dir, seg.name);
    const buf = await readFile(file);
    const scan = scanFrames(buf);
    let goodEnd = scan.validEnd;
    let damage = scan.damage;

    for (const [i, frame] of scan.frames.entries()) {
      const plain = cipher.open(frame.sealed);
      if (!plain) {
        // The checksum held, so the bytes are as written. A segment's first frame is written
        // atomically with the file (temp + rename), so failing there means a wrong key, and
        // nothing may be truncated. Later in the segment it is garbage that matched its CRC.
        if (i === 0) throw errWalWrongKey();
        goodEnd = frame.offset;
        damage = `record at offset ${frame.offset} fails authentication`;
        break;
      }
      for (const r of decodeWalGroup(plain)) records.push(r);
    }

    // The last segment is extended ahead of its writes (wal.ts): zeros after its last record are
    // space not yet written, not damage.
    if (damage !== undefined && isLast && goodEnd === scan.validEnd && isZero(buf.subarray(goodEnd))) damage = undefined;
    if (damage !== undefined) {
      if (!isLast) {
        throw new StorageError(
          'Corrupt',
          `raft: WAL segment ${seg.name} is corrupt (${damage}); it is not the last segment, ` +
            'so the records after it were acknowledged and cannot be dropped',
        );
      }
      warn(`raft: WAL segment ${seg.name}: ${damage}; discarding ${buf.length - goodEnd} bytes of torn tail`);
      await truncateDurably(file, goodEnd);
    }
    if (isLast) lastSegmentSize = goodEnd;
  }
  return { segments, records, lastSegmentSize };
}

const ZEROS = Buffer.alloc(64 * 1024);

function isZero(bytes: Buffer): boolean {
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const part = bytes.subarray(at, at + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

async function truncateDurably(file: string, size: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.truncate(size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

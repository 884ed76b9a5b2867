// Framing of sealed records on disk: [u32 length][u32 crc32 of the sealed bytes][sealed bytes],
// little-endian. The checksum tells a torn or garbled write (checksum mismatch) apart from a
// wrong key (checksum fine, decryption fails).

import { crc32 } from 'node:zlib';
import { SEAL_OVERHEAD } from './cipher.js';

export const FRAME_HEADER_BYTES = 8;
/** Larger lengths can only come from garbage; Raft batches and snapshots stay far below. */
const MAX_FRAME_BYTES = 1 << 30;

export function encodeFrame(sealed: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + sealed.length);
  writeFrameHeader(out, sealed.length, crc32(sealed));
  out.set(sealed, FRAME_HEADER_BYTES);
  return out;
}

/** A frame's header, for sealed bytes of `length` whose crc32 is `checksum` (written in pieces). */
export function writeFrameHeader(out: Buffer, length: number, checksum: number): Buffer {
  out.writeUInt32LE(length, 0);
  out.writeUInt32LE(checksum, 4);
  return out;
}

export interface Frame {
  /** Offset of the frame header in the scanned buffer. */
  offset: number;
  /** Offset just past the frame. */
  end: number;
  sealed: Buffer;
}

export interface FrameScan {
  frames: Frame[];
  /** Offset just past the last good frame: where a damaged tail starts. */
  validEnd: number;
  /** Why scanning stopped before the end of the buffer, if it did. */
  damage?: string;
}

/** Reads frames up to the end of the buffer or the first one that is short or fails its checksum. */
export function scanFrames(buf: Buffer): FrameScan {
  const frames: Frame[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < FRAME_HEADER_BYTES) {
      return { frames, validEnd: pos, damage: `short frame header at offset ${pos}` };
    }
    const length = buf.readUInt32LE(pos);
    const checksum = buf.readUInt32LE(pos + 4);
    if (length < SEAL_OVERHEAD || length > MAX_FRAME_BYTES) {
      return { frames, validEnd: pos, damage: `invalid frame length ${length} at offset ${pos}` };
    }
    const end = pos + FRAME_HEADER_BYTES + length;
    if (end > buf.length) {
      return { frames, validEnd: pos, damage: `frame at offset ${pos} is cut short` };
    }
    const sealed = buf.subarray(pos + FRAME_HEADER_BYTES, end);
    if (crc32(sealed) !== checksum) {
      return { frames, validEnd: pos, damage: `checksum mismatch in frame at offset ${pos}` };
    }
    frames.push({ offset: pos, end, sealed });
    pos = end;
  }
  return { frames, validEnd: pos };
}

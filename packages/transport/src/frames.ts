import { C1, type Packr, type Unpackr } from 'msgpackr';
import { createPackr, createUnpackr } from './codec.js';

/**
 * Length-prefixed MessagePack frames: a 4-byte big-endian payload length, then the msgpackr payload.
 * The limit mirrors SwarmKit's 4 MiB gRPC message limit plus room for our own envelope.
 */
export const FRAME_HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024 + 64 * 1024;

export type FrameErrorCode = 'FRAME_TOO_LARGE' | 'FRAME_TRUNCATED' | 'FRAME_UNDECODABLE';

/** A broken frame on a link: the link that produced it is closed with this as the reason. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by the encoder when a message is over the limit, before anything is written. */
export function frameTooLargeToSend(size: number, max: number): FrameError {
  return new FrameError('FRAME_TOO_LARGE', `trying to send message larger than max (${size} vs. ${max})`);
}

/**
 * Collects encoded frames into one contiguous buffer so a burst of small messages becomes a single
 * socket write (the batching that makes ~10^5 frames/s possible). Taken batches are views into a
 * shared slab; the next batch is written after them, and a new slab is started only when one is full,
 * so small batches do not each cost an allocation.
 */
export class FrameBatch {
  private slab: Buffer;
  private start = 0;
  private end = 0;
  private frameCount = 0;
  private readonly packr: Packr;

  constructor(
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    private readonly slabBytes = 64 * 1024,
    packr?: Packr,
  ) {
    this.packr = packr ?? createPackr();
    this.slab = Buffer.allocUnsafe(slabBytes);
  }

  /** Bytes waiting in the current batch. */
  get byteLength(): number {
    return this.end - this.start;
  }

  /** Frames waiting in the current batch. */
  get frames(): number {
    return this.frameCount;
  }

  /** Encodes one value and appends it; returns the frame's size on the wire. Throws FrameError if too large. */
  append(value: unknown): number {
    const payload = this.packr.pack(value);
    if (payload.length > this.maxFrameBytes) throw frameTooLargeToSend(payload.length, this.maxFrameBytes);
    const frameBytes = FRAME_HEADER_BYTES + payload.length;
    this.reserve(frameBytes);
    this.slab.writeUInt32BE(payload.length, this.end);
    payload.copy(this.slab, this.end + FRAME_HEADER_BYTES);
    this.end += frameBytes;
    this.frameCount++;
    return frameBytes;
  }

  /** Hands over the encoded bytes (the caller may keep them) and starts an empty batch. */
  take(): Buffer {
    const out = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    this.frameCount = 0;
    return out;
  }

  private reserve(bytes: number): void {
    if (this.end + bytes <= this.slab.length) return;
    const pending = this.end - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.slabBytes, 2 * (pending + bytes)));
    this.slab.copy(next, 0, this.start, this.end);
    this.slab = next;
    this.start = 0;
    this.end = pending;
  }
}

/** Encodes a single frame (for callers that do not batch). */
export function encodeFrame(value: unknown, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, packr?: Packr): Buffer {
  const batch = new FrameBatch(maxFrameBytes, 256, packr);
  batch.append(value);
  return batch.take();
}

export interface FrameDecoderOptions {
  maxFrameBytes?: number;
  unpackr?: Unpackr;
}

/**
 * Streaming frame decoder. Feed it chunks as they arrive; it calls `onFrame` for every complete frame.
 * A frame that lies inside one chunk is decoded in place. One that spans chunks is gathered as views of
 * the chunks and joined once, into a buffer of exactly its declared length, which is checked against
 * the limit before anything is kept. So the decoder never holds or allocates more than one maximum
 * frame. After the first error it is inert: the caller closes the link.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly unpackr: Unpackr;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private bodyLength = -1;
  private bodyParts: Buffer[] = [];
  private bodyFill = 0;
  private failure: FrameError | null = null;

  constructor(
    private readonly onFrame: (value: unknown) => void,
    options: FrameDecoderOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.unpackr = options.unpackr ?? createUnpackr();
  }

  /** Bytes held for an incomplete frame (never more than the maximum frame size plus its header). */
  get bufferedBytes(): number {
    return this.headerFill + this.bodyFill;
  }

  get error(): FrameError | null {
    return this.failure;
  }

  /** Decodes what it can from `chunk`. Returns the error that broke the stream, if any. */
  push(chunk: Buffer): FrameError | null {
    let offset = 0;
    while (offset < chunk.length && this.failure === null) {
      if (this.bodyLength < 0) {
        let declared: number;
        if (this.headerFill === 0 && chunk.length - offset >= FRAME_HEADER_BYTES) {
          declared = chunk.readUInt32BE(offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          const n = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - offset);
          chunk.copy(this.header, this.headerFill, offset, offset + n);
          this.headerFill += n;
          offset += n;
          if (this.headerFill < FRAME_HEADER_BYTES) break;
          this.headerFill = 0;
          declared = this.header.readUInt32BE(0);
        }
        if (declared > this.maxFrameBytes) {
          return this.fail('FRAME_TOO_LARGE', `received message larger than max (${declared} vs. ${this.maxFrameBytes})`);
        }
        if (chunk.length - offset >= declared) {
          this.decode(chunk, offset, offset + declared);
          offset += declared;
          continue;
        }
        this.bodyLength = declared;
      }
      const n = Math.min(this.bodyLength - this.bodyFill, chunk.length - offset);
      this.bodyParts.push(chunk.subarray(offset, offset + n));
      this.bodyFill += n;
      offset += n;
      if (this.bodyFill === this.bodyLength) {
        const body = this.bodyParts.length === 1 ? this.bodyParts[0] : Buffer.concat(this.bodyParts, this.bodyLength);
        this.bodyParts = [];
        this.bodyFill = 0;
        this.bodyLength = -1;
        this.decode(body, 0, body.length);
      }
    }
    return this.failure;
  }

  /** The stream ended: anything still partial is a truncated frame. */
  end(): FrameError | null {
    if (this.failure === null && (this.headerFill > 0 || this.bodyLength >= 0)) {
      const have = this.headerFill > 0 ? `${this.headerFill} of ${FRAME_HEADER_BYTES} header bytes` : `${this.bodyFill} of ${this.bodyLength} bytes`;
      return this.fail('FRAME_TRUNCATED', `connection closed in the middle of a frame (${have})`);
    }
    return this.failure;
  }

  private decode(source: Buffer, start: number, end: number): void {
    let value: unknown;
    try {
      if (start === end) throw new Error('empty frame');
      value = this.unpackr.unpack(source, { start, end });
      // msgpackr reads the reserved byte 0xc1 as a sentinel object instead of failing.
      if (value === C1) throw new Error('reserved byte 0xc1');
    } catch (error) {
      this.fail('FRAME_UNDECODABLE', `undecodable frame: ${(error as Error).message ?? String(error)}`);
      return;
    }
    this.onFrame(value);
  }

  private fail(code: FrameErrorCode, message: string): FrameError {
    this.failure = new FrameError(code, message);
    this.bodyParts = [];
    this.bodyFill = 0;
    this.headerFill = 0;
    this.bodyLength = -1;
    return this.failure;
  }
}

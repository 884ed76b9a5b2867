import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { pack } from 'msgpackr';
import { FrameBatch, FrameDecoder, FrameError, encodeFrame, DEFAULT_MAX_FRAME_BYTES } from '../src/frames.js';

function decodeAll(chunks: Buffer[], maxFrameBytes?: number): { frames: unknown[]; error: FrameError | null; decoder: FrameDecoder } {
  const frames: unknown[] = [];
  const decoder = new FrameDecoder((frame) => frames.push(frame), { maxFrameBytes });
  let error: FrameError | null = null;
  for (const chunk of chunks) error = decoder.push(chunk) ?? error;
  return { frames, error: error ?? decoder.end(), decoder };
}

function header(length: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(length);
  return out;
}

describe('frames', () => {
  it('encodes a 4-byte big-endian length followed by the msgpack payload', () => {
    const frame = encodeFrame({ hello: 'world' });
    const payload = pack({ hello: 'world' });
    expect(frame.readUInt32BE(0)).toBe(payload.length);
    expect(frame.subarray(4)).toEqual(payload);
  });

  it('decodes a batch of frames split at every possible byte boundary', () => {
    const values = [{ a: 1 }, 'text', [1, 2, 3], Buffer.from('bytes'), null, { nested: { deep: [true, false] } }];
    const batch = new FrameBatch();
    for (const value of values) batch.append(value);
    const wire = batch.take();
    for (let cut = 0; cut <= wire.length; cut++) {
      const { frames, error } = decodeAll([wire.subarray(0, cut), wire.subarray(cut)]);
      expect(error).toBeNull();
      expect(frames).toEqual(values);
    }
    const { frames: bytewise } = decodeAll([...wire].map((byte) => Buffer.of(byte)));
    expect(bytewise).toEqual(values);
  });

  it('keeps earlier taken batches intact while later ones are written', () => {
    const batch = new FrameBatch(DEFAULT_MAX_FRAME_BYTES, 64);
    batch.append('first');
    const first = Buffer.from(batch.take());
    const firstView = batch.take();
    expect(firstView.length).toBe(0);
    batch.append('second'.repeat(40));
    const second = batch.take();
    expect(decodeAll([first]).frames).toEqual(['first']);
    expect(decodeAll([second]).frames).toEqual(['second'.repeat(40)]);
  });

  it('refuses to encode a message over the limit', () => {
    expect(() => encodeFrame('x'.repeat(200), 100)).toThrowError(/trying to send message larger than max/);
  });

  it('rejects a declared length over the limit from the header alone, holding nothing', () => {
    const decoder = new FrameDecoder(() => {}, { maxFrameBytes: 1024 });
    const error = decoder.push(header(1025));
    expect(error?.code).toBe('FRAME_TOO_LARGE');
    expect(error?.message).toBe('received message larger than max (1025 vs. 1024)');
    expect(decoder.bufferedBytes).toBe(0);
    // Inert afterwards: more bytes change nothing.
    expect(decoder.push(encodeFrame('ok'))).toBe(error);
  });

  it('reports a frame cut off by the end of the stream', () => {
    const wire = encodeFrame({ some: 'payload' });
    const { error } = decodeAll([wire.subarray(0, wire.length - 2)]);
    expect(error?.code).toBe('FRAME_TRUNCATED');
    expect(decodeAll([wire.subarray(0, 2)]).error?.code).toBe('FRAME_TRUNCATED');
  });

  it('reports a payload that is not MessagePack', () => {
    // 0xc1 is the one byte MessagePack never uses.
    const { error, frames } = decodeAll([Buffer.concat([header(1), Buffer.of(0xc1)])]);
    expect(error?.code).toBe('FRAME_UNDECODABLE');
    expect(frames).toEqual([]);
    expect(decodeAll([header(0)]).error?.code).toBe('FRAME_UNDECODABLE');
  });

  it('rejects a payload with trailing bytes after its value', () => {
    const payload = Buffer.concat([pack(1), pack(2)]);
    const { error } = decodeAll([Buffer.concat([header(payload.length), payload])]);
    expect(error?.code).toBe('FRAME_UNDECODABLE');
  });

  it('fuzz: random bytes never throw and never buffer or allocate more than one maximum frame', () => {
    const max = 512;
    const concat = vi.spyOn(Buffer, 'concat');
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 12 }), (chunks) => {
        const decoder = new FrameDecoder(() => {}, { maxFrameBytes: max });
        for (const chunk of chunks) {
          const error = decoder.push(Buffer.from(chunk));
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(max + 4);
          if (error) expect(error).toBeInstanceOf(FrameError);
        }
        const end = decoder.end();
        if (end) expect(['FRAME_TOO_LARGE', 'FRAME_TRUNCATED', 'FRAME_UNDECODABLE']).toContain(end.code);
      }),
      { numRuns: 500 },
    );
    const largest = Math.max(0, ...concat.mock.results.map((r) => (r.value as Buffer).length), ...alloc.mock.calls.map(([size]) => size));
    concat.mockRestore();
    alloc.mockRestore();
    expect(largest).toBeLessThanOrEqual(max);
  });

  it('fuzz: mutated valid streams decode a prefix of the frames or fail with a typed error', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 8 }),
      // MessagePack has no -0 integer: msgpackr writes it as 0, so keep it out of the round-trip check.
      fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.double().map((x) => (x === 0 ? 0 : x)), fc.constant(null))),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (values, mutations, cuts) => {
          const batch = new FrameBatch(1024);
          for (const v of values) batch.append(v);
          const wire = Buffer.from(batch.take());
          for (const { at, byte } of mutations) wire[at % wire.length] = byte;
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const point of points) {
            chunks.push(wire.subarray(from, point));
            from = point;
          }
          chunks.push(wire.subarray(from));
          const frames: unknown[] = [];
          const decoder = new FrameDecoder((frame) => frames.push(frame), { maxFrameBytes: 1024 });
          let failed: FrameError | null = null;
          for (const chunk of chunks) {
            failed = decoder.push(chunk) ?? failed;
            expect(decoder.bufferedBytes).toBeLessThanOrEqual(1024 + 4);
          }
          failed = failed ?? decoder.end();
          if (mutations.length === 0) {
            expect(failed).toBeNull();
            expect(frames).toEqual(values);
          } else if (failed) {
            expect(failed).toBeInstanceOf(FrameError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

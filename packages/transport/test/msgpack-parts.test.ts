// Hand-written MessagePack headers: at every size boundary, a header followed by separately
// packed elements reads back as the container packed whole.

import { Packr, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { arrayElements, arrayHeader, binHeader, mapHeader } from '../src/msgpack-parts.js';

const packr = new Packr({ useRecords: false });
const SIZES = [0, 1, 15, 16, 255, 256, 65535, 65536];

describe('MessagePack parts', () => {
  it('writes array and map headers that any reader accepts at every size class', () => {
    for (const n of SIZES) {
      const items = Array.from({ length: n }, (_, i) => i % 200);
      expect(unpack(Buffer.concat([arrayHeader(n), ...items.map((i) => packr.pack(i))]))).toEqual(items);
      const map = Object.fromEntries(items.slice(0, Math.min(n, 300)).map((_, i) => [`k${i}`, i]));
      const keys = Object.keys(map);
      expect(unpack(Buffer.concat([mapHeader(keys.length), ...keys.flatMap((k) => [packr.pack(k), packr.pack(map[k])])]))).toEqual(map);
    }
  });

  it('writes binary headers for every length class', () => {
    for (const n of SIZES) {
      const bytes = Buffer.alloc(n, 7);
      expect(Buffer.from(unpack(Buffer.concat([binHeader(n), bytes])) as Uint8Array).equals(bytes)).toBe(true);
    }
  });

  it('strips the header of a packed array, whatever its size class', () => {
    for (const n of [3, 200, 70000]) {
      const items = Array.from({ length: n }, (_, i) => ({ i }));
      expect(unpack(Buffer.concat([arrayHeader(n), arrayElements(packr.pack(items))]))).toEqual(items);
    }
    expect(() => arrayElements(packr.pack({ not: 'an array' }))).toThrow('not a packed array');
  });

  it('refuses lengths MessagePack cannot hold', () => {
    expect(() => arrayHeader(-1)).toThrow(RangeError);
    expect(() => binHeader(2 ** 32)).toThrow(RangeError);
    expect(() => mapHeader(1.5)).toThrow(RangeError);
  });
});

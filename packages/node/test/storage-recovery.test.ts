// Recovery from damage on disk: a torn or corrupt tail of the last WAL segment is cut off
// (those writes were never acknowledged), damage anywhere else is refused, and a corrupt or
// half-saved snapshot is skipped in favour of an older one.

import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyConfState, type ConfState, type Entry } from '@swarmlab/raft';
import { RaftDiskStorage, snapDir, walDir, type RaftDiskStorageOptions } from '../src/storage/index.js';
import { RecordCipher } from '../src/storage/cipher.js';
import { Snapshotter } from '../src/storage/snap.js';
import { encodeFrame, scanFrames } from '../src/storage/frame.js';
import { encodeWalGroup } from '../src/storage/wal-record.js';

const tempDirs: string[] = [];
const opened: RaftDiskStorage[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const d of tempDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'swarmlab-recovery-'));
  tempDirs.push(dir);
  return dir;
}

async function open(dir: string, dek: Buffer, opts: RaftDiskStorageOptions = {}): Promise<RaftDiskStorage> {
  const s = await RaftDiskStorage.open(dir, dek, { onWarning: () => {}, ...opts });
  opened.push(s);
  return s;
}

function entry(index: number, term = 1): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(`entry ${index} `.repeat(1 + (index % 5))) };
}

function allEntries(s: RaftDiskStorage): Entry[] {
  const m = s.memory;
  if (m.lastIndex() < m.firstIndex()) return [];
  return m.entries(m.firstIndex(), m.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
}

const voters3: ConfState = { ...emptyConfState(), voters: [1, 2, 3] };

/** Deterministic PRNG (mulberry32) so the random tears are the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One save per entry 1..n into a single segment; returns its path and where the records end after
 * each save (one frame each, after the segment's head). The file itself is longer: preallocated.
 */
async function writeLog(dir: string, dek: Buffer, n: number): Promise<{ segment: string; ends: number[] }> {
  const s = await open(dir, dek);
  const [name] = s.walSegments();
  const segment = path.join(walDir(dir), name);
  for (let i = 1; i <= n; i++) await s.save({ entries: [entry(i)], hardState: { term: 1, vote: 0, commit: i } });
  await s.close();
  const ends = scanFrames(await readFile(segment)).frames.map((f) => f.end);
  expect(ends).toHaveLength(n + 1);
  return { segment, ends };
}

/** How many saves survive when the segment is cut at `size`. */
const surviving = (ends: number[], size: number) => ends.filter((e, i) => i > 0 && e <= size).length;

describe('torn WAL tail', () => {
  it('recovers everything before a tear at random offsets, with or without garbage after it', async () => {
    const dek = randomBytes(32);
    const source = await stateDir();
    const { segment, ends } = await writeLog(source, dek, 40);
    const pristine = (await readFile(segment)).subarray(0, ends[40]);
    const rand = prng(20240611);

    for (let trial = 0; trial < 30; trial++) {
      const dir = await stateDir();
      const torn = path.join(walDir(dir), path.basename(segment));
      await mkdir(walDir(dir), { recursive: true });
      const cut = trial === 0 ? pristine.length : Math.floor(rand() * (pristine.length + 1));
      await writeFile(torn, pristine.subarray(0, cut));
      const garbage = trial % 2 === 1 ? randomBytes(1 + Math.floor(rand() * 200)) : Buffer.alloc(0);
      await appendFile(torn, garbage);

      const warnings: string[] = [];
      const s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
      const expected = surviving(ends, cut);
      expect(s.memory.lastIndex(), `cut at ${cut}`).toBe(expected);
      expect(allEntries(s)).toEqual(Array.from({ length: expected }, (_, k) => entry(k + 1)));
      expect(s.memory.initialState().hardState.commit).toBe(expected);
      if (cut < pristine.length || garbage.length > 0) expect(warnings.join('\n')).toMatch(/torn tail/);

      // New appends land right after the recovered data and survive the next reopen.
      await s.save({ entries: [entry(expected + 1, 2)] });
      await s.close();
      const again = await open(dir, dek);
      expect(again.memory.lastIndex()).toBe(expected + 1);
      expect(again.memory.term(expected + 1)).toBe(2);
      await again.close();
    }
  });

  it('cuts the last segment at a corrupt record in its middle', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const { segment, ends } = await writeLog(dir, dek, 20);
    const bytes = await readFile(segment);
    bytes[ends[12] + 20] ^= 0x40; // inside the sealed bytes of save #13
    await writeFile(segment, bytes);

    const warnings: string[] = [];
    const s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
    expect(s.memory.lastIndex()).toBe(12);
    expect(allEntries(s)).toEqual(Array.from({ length: 12 }, (_, k) => entry(k + 1)));
    expect(warnings.join('\n')).toMatch(/checksum mismatch in frame at offset/);
    expect((await stat(segment)).size).toBe(ends[12]);
  });

  it('cuts the tail at a record with a valid checksum that does not authenticate', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const { segment, ends } = await writeLog(dir, dek, 5);
    const forged = encodeFrame(new RecordCipher(randomBytes(32)).seal(encodeWalGroup([{ kind: 'entries', entries: [entry(6)] }])));
    await writeFile(segment, Buffer.concat([(await readFile(segment)).subarray(0, ends[5]), forged]));

    const warnings: string[] = [];
    const s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
    expect(s.memory.lastIndex()).toBe(5);
    expect(warnings.join('\n')).toMatch(/fails authentication/);
    expect((await stat(segment)).size).toBe(ends[5]);
  });

  it('refuses to open when a record in an earlier segment is corrupt', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const s = await open(dir, dek, { segmentBytes: 512 });
    for (let i = 1; i <= 60; i++) await s.save({ entries: [entry(i)] });
    const segments = s.walSegments();
    expect(segments.length).toBeGreaterThan(2);
    await s.close();

    const first = path.join(walDir(dir), segments[0]);
    const bytes = await readFile(first);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    await writeFile(first, bytes);
    await expect(RaftDiskStorage.open(dir, dek, { onWarning: () => {} })).rejects.toThrow(
      new RegExp(`WAL segment ${segments[0]} is corrupt .*not the last segment`),
    );
    // Nothing was truncated.
    expect((await readFile(first)).length).toBe(bytes.length);
  });

  it('refuses a gap between segments', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const s = await open(dir, dek, { segmentBytes: 512 });
    for (let i = 1; i <= 60; i++) await s.save({ entries: [entry(i)] });
    const segments = s.walSegments();
    await s.close();
    await rm(path.join(walDir(dir), segments[1]));
    await expect(RaftDiskStorage.open(dir, dek, { onWarning: () => {} })).rejects.toThrow(/not contiguous/);
  });
});

describe('snapshot recovery', () => {
  it('skips a corrupt newest snapshot with a warning and uses the older one', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    let s = await open(dir, dek);
    for (let i = 1; i <= 100; i += 10) {
      await s.save({ entries: Array.from({ length: 10 }, (_, k) => entry(i + k)), hardState: { term: 1, vote: 0, commit: i + 9 } });
    }
    await s.createSnapshot(50, voters3, new TextEncoder().encode('at 50'));
    const [older] = await readdir(snapDir(dir));
    const olderCopy = path.join(dir, 'older.snap');
    await copyFile(path.join(snapDir(dir), older), olderCopy);
    await s.createSnapshot(80, voters3, new TextEncoder().encode('at 80'));
    await s.close();

    // As if the purge of the older file had not happened, and the newer one rotted.
    await copyFile(olderCopy, path.join(snapDir(dir), older));
    const newer = (await readdir(snapDir(dir))).find((n) => n !== older)!;
    const bytes = await readFile(path.join(snapDir(dir), newer));
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(path.join(snapDir(dir), newer), bytes);

    const warnings: string[] = [];
    s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
    expect(warnings.join('\n')).toMatch(new RegExp(`skipping corrupt snapshot ${newer}`));
    expect(new TextDecoder().decode(s.memory.snapshot().data)).toBe('at 50');
    expect(allEntries(s)).toEqual(Array.from({ length: 50 }, (_, k) => entry(51 + k)));
  });

  it('ignores a snapshot file the WAL never confirmed (crash before its WAL record)', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    let s = await open(dir, dek);
    await s.save({ entries: Array.from({ length: 30 }, (_, k) => entry(k + 1)), hardState: { term: 1, vote: 0, commit: 30 } });
    await s.createSnapshot(10, voters3, new TextEncoder().encode('at 10'));
    await s.close();
    await new Snapshotter(snapDir(dir), () => {}).save(
      { metadata: { index: 25, term: 1, confState: voters3 }, data: new TextEncoder().encode('half-saved') },
      new RecordCipher(dek),
    );
    await writeFile(path.join(snapDir(dir), 'x.snap.tmp'), 'leftover');

    const warnings: string[] = [];
    s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
    expect(new TextDecoder().decode(s.memory.snapshot().data)).toBe('at 10');
    expect(warnings.join('\n')).toMatch(/no record of it being saved completely/);
    expect(allEntries(s)).toEqual(Array.from({ length: 20 }, (_, k) => entry(11 + k)));
    expect(await readdir(snapDir(dir))).not.toContain('x.snap.tmp');
  });

  it('reports a missing snapshot that the WAL says replaced the log', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const s = await open(dir, dek);
    await s.save({ entries: [entry(1)] });
    await s.save({ snapshot: { metadata: { index: 9, term: 2, confState: voters3 }, data: new Uint8Array([1]) } });
    await s.close();
    for (const f of await readdir(snapDir(dir))) await truncate(path.join(snapDir(dir), f), 10);
    await expect(RaftDiskStorage.open(dir, dek, { onWarning: () => {} })).rejects.toThrow(
      /records a snapshot at index 9 \(term 2\) but that snapshot file is missing or unreadable/,
    );
  });
});

describe('preallocated WAL segments', () => {
  it('end in unwritten space that a reopen neither warns about nor cuts, and appends fill it', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const { segment, ends } = await writeLog(dir, dek, 10);
    const length = (await stat(segment)).size;
    expect(length).toBeGreaterThan(ends[10]);
    expect((await readFile(segment)).subarray(ends[10]).every((b) => b === 0)).toBe(true);

    const warnings: string[] = [];
    let s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect((await stat(segment)).size).toBe(length);
    await s.save({ entries: [entry(11)], hardState: { term: 1, vote: 0, commit: 11 } });
    await s.close();
    expect(scanFrames(await readFile(segment)).frames).toHaveLength(12);
    s = await open(dir, dek, { onWarning: (m) => warnings.push(m) });
    expect(allEntries(s)).toEqual(Array.from({ length: 11 }, (_, k) => entry(k + 1)));
    expect(warnings).toEqual([]);
  });

  it('leave no unwritten space in a segment once the next one starts, and refuse zeros there', async () => {
    const dek = randomBytes(32);
    const dir = await stateDir();
    const s = await open(dir, dek, { segmentBytes: 2048 });
    for (let i = 1; i <= 60; i++) await s.save({ entries: [entry(i)], hardState: { term: 1, vote: 0, commit: i } });
    const names = s.walSegments();
    await s.close();
    expect(names.length).toBeGreaterThan(2);
    for (const name of names.slice(0, -1)) {
      const bytes = await readFile(path.join(walDir(dir), name));
      expect(scanFrames(bytes).validEnd, name).toBe(bytes.length);
    }
    // Zeros at the end of a segment that is not the last: acknowledged records lost, not space.
    await appendFile(path.join(walDir(dir), names[0]), Buffer.alloc(512));
    await expect(RaftDiskStorage.open(dir, dek, { onWarning: () => {} })).rejects.toThrow(/is corrupt/);
  });
});

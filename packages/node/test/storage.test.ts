// RaftDiskStorage: what is saved comes back after a reopen exactly as MemoryStorage held it,
// group commit batches fsyncs, snapshots compact and release the WAL, and nothing is readable
// without the DEK.

import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { emptyConfState, type ConfState, type Entry, type Snapshot } from '@swarmlab/raft';
import { RaftDiskStorage, WAL_WRONG_KEY_MESSAGE, snapDir, walDir, type RaftDiskStorageOptions } from '../src/storage/index.js';
import { scanFrames } from '../src/storage/frame.js';

const tempDirs: string[] = [];
const opened: RaftDiskStorage[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const d of tempDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'swarmlab-storage-'));
  tempDirs.push(dir);
  return dir;
}

async function open(dir: string, dek: Buffer, opts: RaftDiskStorageOptions = {}): Promise<RaftDiskStorage> {
  const s = await RaftDiskStorage.open(dir, dek, { onWarning: () => {}, ...opts });
  opened.push(s);
  return s;
}

async function reopen(s: RaftDiskStorage, dir: string, dek: Buffer, opts: RaftDiskStorageOptions = {}) {
  await s.close();
  return open(dir, dek, opts);
}

function entry(index: number, term = 1, text = `entry ${index} term ${term}`): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

function range(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

function allEntries(s: RaftDiskStorage): Entry[] {
  const m = s.memory;
  if (m.lastIndex() < m.firstIndex()) return [];
  return m.entries(m.firstIndex(), m.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
}

const voters3: ConfState = { ...emptyConfState(), voters: [1, 2, 3] };

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describe('RaftDiskStorage round trip', () => {
  it('restores hard state, entries and snapshot after a reopen', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    expect(s.memory.lastIndex()).toBe(0);
    const confEntry: Entry = { index: 1, term: 1, type: 'confChange', data: new Uint8Array([9, 8, 7]) };
    await s.save({ hardState: { term: 1, vote: 0, commit: 1 }, entries: [confEntry] });
    await s.save({ hardState: { term: 2, vote: 7, commit: 6 }, entries: range(2, 10, 2) });
    await s.createSnapshot(6, voters3, new TextEncoder().encode('state at 6'));
    await s.save({ hardState: { term: 2, vote: 7, commit: 11 }, entries: range(11, 12, 2) });
    const before = { state: s.memory.initialState(), snap: s.memory.snapshot() };

    s = await reopen(s, dir, dek);
    expect(s.memory.initialState()).toEqual(before.state);
    expect(s.memory.snapshot()).toEqual(before.snap);
    expect(s.memory.snapshot().data).toBeInstanceOf(Uint8Array);
    expect(s.memory.firstIndex()).toBe(7);
    expect(allEntries(s)).toEqual([...range(7, 10, 2), ...range(11, 12, 2)]);
    expect(s.memory.term(6)).toBe(2);
  });

  it('replays a conflicting suffix the way MemoryStorage.append does: later records win', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ hardState: { term: 1, vote: 1, commit: 3 }, entries: range(1, 10, 1) });
    // A new leader replaces 6.. with its own entries, then appends more.
    await s.save({ hardState: { term: 2, vote: 2, commit: 3 }, entries: range(6, 8, 2) });
    await s.save({ entries: [entry(9, 2)] });
    await s.save({ entries: range(7, 7, 3) });
    const inMemory = allEntries(s);
    expect(inMemory.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 2], [7, 3]]);

    s = await reopen(s, dir, dek);
    expect(allEntries(s)).toEqual(inMemory);
    expect(s.memory.lastIndex()).toBe(7);
    expect(s.memory.initialState().hardState).toEqual({ term: 2, vote: 2, commit: 3 });
  });

  it('a snapshot from the leader replaces the whole log, also after a reopen', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ hardState: { term: 1, vote: 1, commit: 2 }, entries: range(1, 10, 1) });
    const snap: Snapshot = { metadata: { index: 7, term: 3, confState: voters3 }, data: new Uint8Array([1, 2, 3]) };
    await s.save({ snapshot: snap, hardState: { term: 3, vote: 0, commit: 7 } });
    expect(s.memory.lastIndex()).toBe(7);
    await s.save({ entries: range(8, 9, 3), hardState: { term: 3, vote: 0, commit: 8 } });

    s = await reopen(s, dir, dek);
    expect(s.memory.snapshot()).toEqual(snap);
    expect(allEntries(s)).toEqual(range(8, 9, 3));
    expect(s.memory.initialState().hardState).toEqual({ term: 3, vote: 0, commit: 8 });
    expect(await readdir(snapDir(dir))).toEqual(['0000000000000003-0000000000000007.snap']);
  });

  it('refuses bad requests before anything reaches the disk', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ entries: range(1, 5) });
    await expect(s.save({ entries: [entry(7)] })).rejects.toThrow('missing log entry [last: 5, append at: 7]');
    await expect(s.save({ entries: [entry(6), entry(8)] })).rejects.toThrow('not contiguous');
    await expect(s.save({ hardState: { term: -1, vote: 0, commit: 0 } })).rejects.toThrow('invalid hard state');
    await expect(s.createSnapshot(9, voters3, new Uint8Array())).rejects.toThrow('out of bound');
    await expect(s.createSnapshot(2, voters3, 'not bytes' as never)).rejects.toThrow('must be a Uint8Array');
    await expect(s.createSnapshot(2, { voters: 'x' } as never, new Uint8Array())).rejects.toThrow('invalid conf state');
    await s.createSnapshot(3, voters3, new Uint8Array());
    await expect(s.createSnapshot(2, voters3, new Uint8Array())).rejects.toThrow('older than the existing snapshot');
    await expect(s.save({ entries: [entry(3, 2)] })).rejects.toThrow('covered by the snapshot');
    s = await reopen(s, dir, dek);
    expect(s.memory.lastIndex()).toBe(5);
    await s.close();
    await expect(s.save({ entries: [entry(6)] })).rejects.toThrow('raft: storage is closed');
  });

  it('exists() and wipe() see and remove the raft directories', async () => {
    const dir = await stateDir();
    expect(await RaftDiskStorage.exists(dir)).toBe(false);
    const s = await open(dir, randomBytes(32));
    await s.save({ entries: range(1, 3) });
    expect(await RaftDiskStorage.exists(dir)).toBe(true);
    await s.close();
    await RaftDiskStorage.wipe(dir);
    expect(await RaftDiskStorage.exists(dir)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('group commit', () => {
  it('batches concurrent saves into fewer fsyncs and resolves each only after a sync that covers it', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let started = 0;
    let finished = 0;
    const s = await open(dir, dek, {
      datasync: async (fh) => {
        started++;
        await new Promise((r) => setTimeout(r, 2));
        await fh.datasync();
        finished++;
      },
    });
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 100; i++) {
      // Spread the calls over several event-loop turns so they land in different batches.
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      const startedAtCall = started;
      saves.push(
        s.save({ entries: [entry(i)], hardState: { term: 1, vote: 0, commit: i - 1 } }).then(() => {
          // A sync that was already running when save() was called cannot cover its data.
          expect(finished).toBeGreaterThan(startedAtCall);
          expect(s.memory.lastIndex()).toBeGreaterThanOrEqual(i);
        }),
      );
    }
    await Promise.all(saves);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(100);

    const again = await reopen(s, dir, dek);
    expect(allEntries(again)).toEqual(range(1, 100));
    expect(again.memory.initialState().hardState.commit).toBe(99);
  });

  it('interleaves background (thread-pool) and inline writes in call order, each durable once resolved', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let syncs = 0;
    const s = await open(dir, dek, {
      datasync: async (fh) => {
        syncs++;
        await fh.datasync();
      },
    });
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 40; i++) {
      if (i % 8 === 0) await new Promise((r) => setImmediate(r));
      saves.push(s.save({ entries: [entry(i)], hardState: { term: 1, vote: 0, commit: i - 1 }, background: i % 3 === 0 }));
    }
    await Promise.all(saves);
    expect(syncs).toBeGreaterThan(0);
    const again = await reopen(s, dir, dek);
    expect(allEntries(again)).toEqual(range(1, 40));
    expect(again.memory.initialState().hardState.commit).toBe(39);
  });

  it('keeps call order across a snapshot from the leader queued between appends', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ entries: range(1, 5, 1) });
    const snap: Snapshot = { metadata: { index: 20, term: 4, confState: voters3 }, data: new Uint8Array([4]) };
    await Promise.all([
      s.save({ entries: range(6, 8, 1) }),
      s.save({ snapshot: snap }),
      s.save({ entries: range(21, 23, 4) }),
      s.save({ hardState: { term: 4, vote: 0, commit: 22 } }),
    ]);
    const inMemory = allEntries(s);
    expect(inMemory).toEqual(range(21, 23, 4));
    s = await reopen(s, dir, dek);
    expect(s.memory.snapshot()).toEqual(snap);
    expect(allEntries(s)).toEqual(inMemory);
  });
});

describe('snapshots and compaction', () => {
  it('compacts memory behind a snapshot, releases covered WAL segments and keeps one snapshot file', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    const opts = { segmentBytes: 1024, logEntriesForSlowFollowers: 50 };
    let s = await open(dir, dek, opts);
    for (let i = 1; i <= 300; i += 10) {
      await s.save({ entries: range(i, i + 9), hardState: { term: 1, vote: 0, commit: i + 9 } });
    }
    const segmentsBefore = s.walSegments();
    expect(segmentsBefore.length).toBeGreaterThan(5);

    await s.createSnapshot(100, voters3, new TextEncoder().encode('first'));
    await s.createSnapshot(250, voters3, new TextEncoder().encode('second'));
    expect(s.memory.firstIndex()).toBe(201);
    expect(s.memory.snapshot().metadata).toEqual({ index: 250, term: 1, confState: voters3 });
    const segmentsAfter = s.walSegments();
    expect(segmentsAfter.length).toBeLessThan(segmentsBefore.length);
    expect((await readdir(walDir(dir))).sort()).toEqual(segmentsAfter);
    // Every remaining segment except the first starts after the snapshot: nothing needed was dropped.
    const firstIndexes = segmentsAfter.map((n) => Number.parseInt(n.slice(17, 33), 16));
    expect(firstIndexes[0]).toBeLessThanOrEqual(251);
    expect(firstIndexes.slice(1).every((i) => i > 251)).toBe(true);
    expect(await readdir(snapDir(dir))).toEqual(['0000000000000001-00000000000000fa.snap']);

    await s.compact(240);
    expect(s.memory.firstIndex()).toBe(241);
    await s.compact(400); // never past the snapshot
    expect(s.memory.firstIndex()).toBe(251);

    s = await reopen(s, dir, dek, opts);
    expect(new TextDecoder().decode(s.memory.snapshot().data)).toBe('second');
    expect(allEntries(s)).toEqual(range(251, 300));
    expect(s.memory.initialState().hardState.commit).toBe(300);
  });
});

describe('encryption at rest', () => {
  const MARKER = 'SWARMLAB-PLAINTEXT-MARKER-5e1f0c';

  async function expectNoPlaintext(dir: string): Promise<void> {
    const packr = new Packr({ useRecords: false });
    const needles = [
      Buffer.from(MARKER),
      Buffer.from(MARKER.slice(8, 24)),
      packr.pack(MARKER),
      packr.pack(Buffer.from(MARKER)),
    ];
    const files = await filesUnder(dir);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const bytes = await readFile(f);
      for (const n of needles) expect(bytes.indexOf(n), `${f} contains plaintext`).toBe(-1);
    }
  }

  it('writes no plaintext: entries, hard state and snapshots are all sealed', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek, { segmentBytes: 2048 });
    const marked = (i: number): Entry => ({ index: i, term: 1, type: 'normal', data: Buffer.from(`${MARKER} #${i}`) });
    for (let i = 1; i <= 60; i++) await s.save({ entries: [marked(i)], hardState: { term: 1, vote: 0, commit: i } });
    await s.createSnapshot(40, voters3, Buffer.from(`${MARKER} snapshot`));
    await s.close();
    await expectNoPlaintext(dir);

    // Still none after a DEK rotation rewrote everything; the data is intact under the new key.
    const newKey = randomBytes(32);
    s = await open(dir, dek, { segmentBytes: 2048 });
    await s.rotateDEK(newKey);
    await s.save({ entries: [marked(61)], hardState: { term: 1, vote: 0, commit: 61 } });
    s = await reopen(s, dir, newKey);
    await s.close();
    await expectNoPlaintext(dir);
    expect(Buffer.from(s.memory.snapshot().data).toString()).toBe(`${MARKER} snapshot`);
    expect(allEntries(s).map((e) => Buffer.from(e.data).toString())).toEqual(
      Array.from({ length: 21 }, (_, k) => `${MARKER} #${41 + k}`),
    );
  });

  it('rejects a wrong DEK with a clear error and leaves the files untouched', async () => {
    const dir = await stateDir();
    const s = await open(dir, randomBytes(32));
    await s.save({ entries: range(1, 3), hardState: { term: 1, vote: 0, commit: 3 } });
    await s.close();
    const sizes = await Promise.all((await filesUnder(dir)).map(async (f) => (await stat(f)).size));
    await expect(RaftDiskStorage.open(dir, randomBytes(32))).rejects.toThrow(WAL_WRONG_KEY_MESSAGE);
    expect(WAL_WRONG_KEY_MESSAGE).toBe('raft: could not decrypt WAL: wrong key or corrupt data');
    expect(await Promise.all((await filesUnder(dir)).map(async (f) => (await stat(f)).size))).toEqual(sizes);
    await expect(RaftDiskStorage.open(dir, randomBytes(16))).rejects.toThrow('must be 32 bytes');
  });

  it('rotateDEK re-encrypts the snapshot and the log so the old key is no longer needed', async () => {
    const dir = await stateDir();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    let s = await open(dir, oldKey, { segmentBytes: 2048 });
    for (let i = 1; i <= 80; i += 4) await s.save({ entries: range(i, i + 3), hardState: { term: 1, vote: 2, commit: i } });
    await s.createSnapshot(50, voters3, new TextEncoder().encode('at 50'));
    const crashCopy = await stateDir();
    await cp(dir, crashCopy, { recursive: true });
    // As rotateDEK leaves it before it creates the new segment: the last one without its unwritten tail.
    for (const name of await readdir(walDir(crashCopy))) {
      const file = path.join(walDir(crashCopy), name);
      await truncate(file, scanFrames(await readFile(file)).validEnd);
    }

    await s.rotateDEK(newKey);
    expect(s.walSegments()).toHaveLength(1);
    await s.save({ entries: [entry(81)], hardState: { term: 1, vote: 2, commit: 81 } });
    const expected = allEntries(s).filter((e) => e.index > 50);
    await s.close();

    await expect(RaftDiskStorage.open(dir, oldKey)).rejects.toThrow(WAL_WRONG_KEY_MESSAGE);
    s = await open(dir, newKey);
    expect(new TextDecoder().decode(s.memory.snapshot().data)).toBe('at 50');
    expect(allEntries(s)).toEqual(expected);
    expect(s.memory.initialState().hardState).toEqual({ term: 1, vote: 2, commit: 81 });
    await s.close();

    // A crash after the new segment was written but before the old ones were deleted leaves
    // data under both keys: it opens with both, and not with the new key alone.
    const newSegment = (await readdir(walDir(dir)))[0];
    await cp(path.join(walDir(dir), newSegment), path.join(walDir(crashCopy), newSegment));
    await expect(RaftDiskStorage.open(crashCopy, newKey)).rejects.toThrow(WAL_WRONG_KEY_MESSAGE);
    // With only the old key the new segment must be refused, not cut off as a torn tail.
    const newSegmentSize = (await stat(path.join(walDir(crashCopy), newSegment))).size;
    await expect(RaftDiskStorage.open(crashCopy, oldKey)).rejects.toThrow(WAL_WRONG_KEY_MESSAGE);
    expect((await stat(path.join(walDir(crashCopy), newSegment))).size).toBe(newSegmentSize);
    const both = await open(crashCopy, newKey, { extraDeks: [oldKey] });
    expect(allEntries(both)).toEqual(expected);
  });
});

describe('snapshots written beside the WAL queue', () => {
  it('keep appends going, and a later overlapping snapshot is never deleted by an earlier one', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ entries: range(1, 300), hardState: { term: 1, vote: 0, commit: 300 } });
    const first = s.createSnapshot(100, voters3, new TextEncoder().encode('at 100'));
    const second = s.createSnapshot(200, voters3, new TextEncoder().encode('at 200'));
    const appended = s.save({ entries: range(301, 310), hardState: { term: 1, vote: 0, commit: 310 } });
    await Promise.all([first, second, appended]);
    expect(s.memory.snapshot().metadata.index).toBe(200);
    expect(await readdir(snapDir(dir))).toEqual(['0000000000000001-00000000000000c8.snap']);
    s = await reopen(s, dir, dek);
    expect(new TextDecoder().decode(s.memory.snapshot().data)).toBe('at 200');
    expect(allEntries(s).at(-1)?.index).toBe(310);
  });

  it('give way to a snapshot from the leader that overtakes them', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ entries: range(1, 50), hardState: { term: 1, vote: 0, commit: 50 } });
    const local = s.createSnapshot(40, voters3, new TextEncoder().encode('local at 40'));
    const received: Snapshot = { metadata: { index: 90, term: 2, confState: voters3 }, data: new TextEncoder().encode('leader at 90') };
    await s.save({ snapshot: received, hardState: { term: 2, vote: 0, commit: 90 } });
    await local;
    expect(s.memory.snapshot().metadata.index).toBe(90);
    expect(await readdir(snapDir(dir))).toEqual(['0000000000000002-000000000000005a.snap']);
    // The storage still works, and a reopen finds the leader's snapshot.
    await s.save({ entries: [entry(91, 2)], hardState: { term: 2, vote: 0, commit: 91 } });
    s = await reopen(s, dir, dek);
    expect(new TextDecoder().decode(s.memory.snapshot().data)).toBe('leader at 90');
    expect(allEntries(s)).toEqual([entry(91, 2)]);
  });

  it('seal and write megabytes a slice at a time, readable after a reopen', async () => {
    const dir = await stateDir();
    const dek = randomBytes(32);
    let s = await open(dir, dek);
    await s.save({ entries: range(1, 5), hardState: { term: 1, vote: 0, commit: 5 } });
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await s.createSnapshot(5, voters3, data);
    s = await reopen(s, dir, dek);
    expect(Buffer.from(s.memory.snapshot().data).equals(data)).toBe(true);
    // Under another key it does not open.
    await s.close();
    await expect(RaftDiskStorage.open(dir, randomBytes(32), { onWarning: () => {} })).rejects.toThrow();
  });
});

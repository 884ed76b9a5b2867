// WAL throughput: fsynced saves per second with one writer (every save pays a full fsync) and
// with many concurrent writers (group commit shares one write + fsync between them).
// Each save appends one 200-byte entry plus a hard state, as a Raft follower does per MsgApp.
// As in SwarmKit, a snapshot is taken every 10000 entries (SnapshotInterval), which also
// compacts the in-memory log; without it MemoryStorage.append's cost grows with the log.
//
//   pnpm --filter @swarmlab/node bench:wal [-- --seconds 3 --dir /path/on/the/disk/to/test]

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Entry } from '@swarmlab/raft';
import { RaftDiskStorage } from '../src/storage/index.js';

const { values } = parseArgs({
  // pnpm forwards the `--` separator itself.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seconds: { type: 'string', default: '3' },
    dir: { type: 'string', default: tmpdir() },
  },
});
const seconds = Number(values.seconds);
const ENTRY_BYTES = 200;
const SNAPSHOT_INTERVAL = 10_000;

interface Result {
  writers: number;
  saves: number;
  fsyncs: number;
  elapsedMs: number;
  latencies: number[];
}

async function run(writers: number): Promise<Result> {
  const dir = await mkdtemp(path.join(values.dir!, 'swarmlab-bench-wal-'));
  let fsyncs = 0;
  const storage = await RaftDiskStorage.open(dir, randomBytes(32), {
    datasync: async (fh) => {
      fsyncs++;
      await fh.datasync();
    },
  });
  const payload = randomBytes(ENTRY_BYTES);
  const confState = { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  const snapshotData = randomBytes(64 * 1024);
  let next = 1;
  let saves = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();

  async function writer(): Promise<void> {
    while (performance.now() < deadline) {
      // Indexes are taken in call order, which is also the order the queue writes them.
      const index = next++;
      const entry: Entry = { term: 1, index, type: 'normal', data: payload };
      const t0 = performance.now();
      await storage.save({ entries: [entry], hardState: { term: 1, vote: 1, commit: index - 1 } });
      latencies.push(performance.now() - t0);
      saves++;
      if (index % SNAPSHOT_INTERVAL === 0) await storage.createSnapshot(index, confState, snapshotData);
    }
  }

  try {
    await Promise.all(Array.from({ length: writers }, writer));
    return { writers, saves, fsyncs, elapsedMs: performance.now() - started, latencies };
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const rows: Record<string, string | number>[] = [];
for (const writers of [1, 8, 64]) {
  const r = await run(writers);
  const sorted = r.latencies.sort((a, b) => a - b);
  rows.push({
    writers: r.writers,
    'saves/s': Math.round((r.saves / r.elapsedMs) * 1000),
    'fsyncs/s': Math.round((r.fsyncs / r.elapsedMs) * 1000),
    'saves per fsync': (r.saves / r.fsyncs).toFixed(1),
    'p50 ms': percentile(sorted, 50).toFixed(2),
    'p99 ms': percentile(sorted, 99).toFixed(2),
  });
}
console.log(`WAL save throughput: ${ENTRY_BYTES}-byte entries, ${seconds}s per run, in ${values.dir}`);
console.table(rows);

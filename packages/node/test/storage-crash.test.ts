// Crash safety: a child process saves in a loop (several saves in flight, so group commit is
// exercised) and prints each index once save() resolved. It is SIGKILLed at an arbitrary
// moment; every index it acknowledged must be there after a reopen.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { RaftDiskStorage } from '../src/storage/index.js';

const storageModule = new URL('../src/storage/index.ts', import.meta.url).href;
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Runs in the child (ESM, TypeScript imports through tsx).
const CHILD = `
const { RaftDiskStorage } = await import(process.env.STORAGE_MODULE);
const storage = await RaftDiskStorage.open(process.env.STATE_DIR, Buffer.from(process.env.DEK_HEX, 'hex'), {
  segmentBytes: 32 * 1024,
  logEntriesForSlowFollowers: 100,
});
let next = storage.memory.lastIndex() + 1;
const inFlight = new Set();
function saveOne(index) {
  const data = new TextEncoder().encode('crash-entry-' + index);
  const p = storage
    .save({ entries: [{ term: 1, index, type: 'normal', data }], hardState: { term: 1, vote: 1, commit: index } })
    .then(() => {
      process.stdout.write('ack ' + index + '\\n');
      if (index % 400 === 0) return storage.createSnapshot(index, { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false }, new TextEncoder().encode('snap-' + index));
    });
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
}
for (;;) {
  while (inFlight.size < 8) saveOne(next++);
  await Promise.race(inFlight);
  // As a Raft loop fed by the network would, let I/O in: a snapshot file is written beside the
  // queue, and a loop that only ever ran microtasks would starve it.
  await new Promise((resolve) => setImmediate(resolve));
}
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

it('keeps every acknowledged save across a SIGKILL', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'swarmlab-crash-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const dek = randomBytes(32);

  const acked: number[] = [];
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: packageDir,
    env: { ...process.env, STORAGE_MODULE: storageModule, STATE_DIR: dir, DEK_HEX: dek.toString('hex') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
        // Enough to have cut segments and taken snapshots; then kill mid-write.
        if (acked.length >= 1500) resolve();
      });
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code, signal) => reject(new Error(`child exited early (${code ?? signal}): ${stderr}`)));
    });
  } finally {
    child.kill('SIGKILL');
    await waitForExit(child);
  }

  const storage = await RaftDiskStorage.open(dir, dek, { onWarning: () => {} });
  try {
    const m = storage.memory;
    const snapIndex = m.snapshot().metadata.index;
    expect(snapIndex).toBeGreaterThan(0);
    expect(m.lastIndex()).toBeGreaterThanOrEqual(Math.max(...acked));
    for (const index of acked) {
      if (index <= snapIndex) continue; // covered by the snapshot
      const [e] = m.entries(index, index + 1, Number.MAX_SAFE_INTEGER);
      expect(new TextDecoder().decode(e.data)).toBe(`crash-entry-${index}`);
    }
    expect(m.initialState().hardState.commit).toBeGreaterThanOrEqual(Math.max(...acked));
  } finally {
    await storage.close();
  }
});

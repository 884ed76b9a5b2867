// Snapshots run beside the Ready loop (takeSnapshot in raft-node.ts): while one is packed and
// written, writes keep committing, and a second one does not start until the first is done.

import type { ConfState } from '@swarmlab/raft';
import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory.js';
import { clusterWithLogs, createConfig, electedLeader, MemoryLogStore, waitFor } from './helpers/raft-cluster.js';

/** A log store whose snapshots stay "on disk" until the test lets them finish. */
class SlowSnapshots extends MemoryLogStore {
  readonly started: number[] = [];
  private release!: () => void;
  private gate = new Promise<void>((r) => (this.release = r));

  override async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<void> {
    this.started.push(index);
    await this.gate;
    await super.createSnapshot(index, confState, data);
  }

  finish(): void {
    this.release();
  }
}

describe('snapshots', () => {
  it('do not hold up writes while they are written, and run one at a time', async () => {
    const { nodes, stores, logs } = clusterWithLogs(3, (memory) => new SlowSnapshots(memory), { snapshotInterval: 5 });
    try {
      const leader = await electedLeader(nodes);
      // Four times the interval: every manager starts a snapshot early on and it never finishes.
      for (let i = 0; i < 20; i++) await leader.proposeTransaction(createConfig(`c${i}`));
      await waitFor(() => stores.every((s) => s.count('config') === 20), 'every manager to apply all 20 writes');
      for (const log of logs) expect(log.started).toHaveLength(1);
      for (const log of logs) log.finish();
      // Once it is done, the next one starts with the next write.
      await leader.proposeTransaction(createConfig('after'));
      await waitFor(() => logs.every((log) => log.started.length === 2), 'a second snapshot on every manager');
      await waitFor(() => logs.every((log) => log.memory.snapshot().metadata.index >= log.started[0]), 'the first snapshots recorded');
    } finally {
      for (const log of logs) log.finish();
    }
  });

  it('hold the store as it was at their index, however it changed while they were written', async () => {
    const { nodes, stores, logs } = clusterWithLogs(1, (memory) => new MemoryLogStore(memory), { snapshotInterval: 3 });
    const leader = await electedLeader(nodes);
    const digests = new Map<number, string>();
    stores[0].on('change', () => digests.set(stores[0].appliedIndex, stores[0].digest()));
    for (let i = 0; i < 12; i++) void leader.proposeTransaction(createConfig(`c${i}`));
    await waitFor(() => stores[0].count('config') === 12, 'all 12 writes applied');
    const snapshot = logs[0].memory.snapshot();
    expect(snapshot.metadata.index).toBeGreaterThan(0);
    const restored = new MemoryStore();
    restored.restore((unpack(snapshot.data) as { store: Uint8Array }).store);
    expect(restored.appliedIndex).toBe(snapshot.metadata.index);
    expect(restored.digest()).toBe(digests.get(snapshot.metadata.index));
  });
});

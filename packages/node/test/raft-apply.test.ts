// A leader applies what its followers committed without waiting for its own disk
// (applyCommittedEarly in raft-node.ts): two followers are a quorum of three without it.

import type { Entry, HardState, Snapshot } from '@swarmlab/raft';
import { describe, expect, it } from 'vitest';
import { clusterWithLogs, createConfig, electedLeader, MemoryLogStore, waitFor } from './helpers/raft-cluster.js';

/** A log store whose saves can be held "on the disk" until released. */
class HeldSaves extends MemoryLogStore {
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((r) => (this.release = r));
  }

  finish(): void {
    this.release?.();
    this.gate = undefined;
  }

  override async save(batch: { hardState?: HardState; entries: Entry[]; snapshot?: Snapshot }): Promise<void> {
    const gate = this.gate;
    if (gate) await gate;
    await super.save(batch);
  }
}

describe('a leader waiting for its own disk', () => {
  it('applies and answers a write its two followers have, and applies it once', async () => {
    const { nodes, stores, logs } = clusterWithLogs(3, (memory) => new HeldSaves(memory));
    const leader = await electedLeader(nodes);
    const i = nodes.indexOf(leader);
    await leader.proposeTransaction(createConfig('before'));
    logs[i].hold();
    try {
      let answered = false;
      const write = leader.proposeTransaction(createConfig('held')).then(() => (answered = true));
      await waitFor(() => answered, 'the write answered while the leader still waits for its disk');
      expect(stores[i].findByName('config', 'held')).toBeDefined();
      const applied = stores[i].appliedIndex;
      logs[i].finish();
      await write;
      // Its Ready hands the entry over again once the save is done: it is not applied twice.
      await leader.proposeTransaction(createConfig('after'));
      await waitFor(() => stores.every((s) => s.count('config') === 3), 'every manager to hold all three');
      expect(stores[i].appliedIndex).toBeGreaterThan(applied);
      expect(new Set(stores.map((s) => s.digest())).size).toBe(1);
    } finally {
      logs[i].finish();
    }
  });
});

// A leader tells its followers a new commit index with an empty append, unless an append of the
// next write, which carries the commit index too, goes out first (deferAnnouncements in
// raft-node.ts). Followers must still apply every write, the last one of a burst included.

import type { Message } from '@swarmlab/raft';
import { describe, expect, it } from 'vitest';
import { createConfig, electedLeader, startCluster, waitFor } from './helpers/raft-cluster.js';

function countingAnnouncements(): { count: () => number; transport: (from: { raftId: number }, messages: unknown[]) => void } {
  let announcements = 0;
  return {
    count: () => announcements,
    transport: (_from, messages) => {
      for (const m of messages as Message[]) if (m.type === 'MsgApp' && m.entries.length === 0) announcements++;
    },
  };
}

describe('commit announcements', () => {
  it('are not needed: appends carry the commit index to followers, and heartbeats the last one', async () => {
    const counter = countingAnnouncements();
    // Announcements never fire on their own here: what followers learn comes with appends and heartbeats.
    const cluster = startCluster(
      3,
      (from, to, messages) => {
        counter.transport(from, messages);
        cluster.net.deliver(from, to, messages);
      },
      { commitAnnounceDelayMs: 3_600_000 },
    );
    const leader = await electedLeader(cluster.nodes);
    const sentBefore = counter.count();
    const writes = 20;
    for (let i = 0; i < writes; i++) await leader.proposeTransaction(createConfig(`c${i}`));
    expect(counter.count()).toBe(sentBefore);
    await waitFor(() => cluster.stores.every((s) => s.list('config').length === writes), 'every manager to apply every write');
  });

  it('go out on their own when no write follows', async () => {
    const counter = countingAnnouncements();
    const cluster = startCluster(3, (from, to, messages) => {
      counter.transport(from, messages);
      cluster.net.deliver(from, to, messages);
    });
    const leader = await electedLeader(cluster.nodes);
    const sentBefore = counter.count();
    await leader.proposeTransaction(createConfig('only'));
    await waitFor(() => counter.count() > sentBefore, 'the commit-only append of the last write');
    await waitFor(() => cluster.stores.every((s) => s.get('config', 'id-only') !== undefined), 'every manager to apply the write');
  });
});

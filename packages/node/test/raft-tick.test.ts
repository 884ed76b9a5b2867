// The managers' Raft tick grows with the swarm (manager/raft/tick.ts), and every timeout counted
// in ticks grows with it: a leader silent for longer than the profile's election timeout keeps its
// term when its followers tick slower.

import { describe, expect, it } from 'vitest';
import { raftTickMs } from '../src/manager/raft/tick.js';
import { PROFILES } from '../src/profile.js';
import { electedLeader, startCluster, waitFor } from './helpers/raft-cluster.js';

describe('raftTickMs', () => {
  it('is the profile’s tick up to 50 nodes in the fast profile, then grows as the heartbeat period does', () => {
    expect(raftTickMs(PROFILES.fast, 3, 1)).toBe(10);
    expect(raftTickMs(PROFILES.fast, 50, 1)).toBe(10);
    expect(raftTickMs(PROFILES.fast, 100, 1)).toBe(20);
    expect(raftTickMs(PROFILES.fast, 200, 1)).toBe(40);
  });

  it('is SwarmKit’s 1 s in the docker profile, whatever the swarm’s size', () => {
    expect(raftTickMs(PROFILES.docker, 3, 1)).toBe(1000);
    expect(raftTickMs(PROFILES.docker, 5000, 1)).toBe(1000);
  });
});

/** Three managers whose leader's messages are dropped from now on; `terms()` is the highest term any of them has seen. */
async function mutedLeader(followerTickMs?: number): Promise<{ termBefore: number; terms: () => number }> {
  let mute: number | undefined;
  const cluster = startCluster(3, (from, to, messages) => {
    if (from.raftId !== mute) cluster.net.deliver(from, to, messages);
  });
  const leader = await electedLeader(cluster.nodes);
  if (followerTickMs !== undefined) for (const n of cluster.nodes) if (n !== leader) n.setTickMs(followerTickMs);
  mute = leader.raftId;
  return { termBefore: leader.status().term, terms: () => Math.max(...cluster.nodes.map((n) => n.status().term)) };
}

describe('RaftNode.setTickMs', () => {
  it('without it, followers that miss the leader elect another after the profile’s 100–200 ms', async () => {
    const { termBefore, terms } = await mutedLeader();
    await waitFor(() => terms() > termBefore, 'the followers to elect a new leader');
  });

  it('stretched to 500 ms ticks (elections after 5–10 s), followers that miss the leader for 600 ms keep its term', async () => {
    const { termBefore, terms } = await mutedLeader(500);
    await new Promise((r) => setTimeout(r, 600));
    expect(terms()).toBe(termBefore);
  });
});

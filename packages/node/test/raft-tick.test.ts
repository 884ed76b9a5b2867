// The managers' Raft tick grows with the swarm (manager/raft/tick.ts), and every timeout counted
// in ticks grows with it: a leader silent for longer than the profile's election timeout keeps its
// term when its followers tick slower.

import { describe, expect, it } from 'vitest';
import { raftTickMs } from '../src/manager/raft/tick.js';
import { PROFILES } from '../src/profile.js';
import { electedLeader, startCluster } from './helpers/raft-cluster.js';

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

/** Three managers; `silence()` drops every message the leader sends for `ms`. */
async function silencedLeader(followerTickMs: number | undefined, ms: number): Promise<{ termBefore: number; termAfter: number }> {
  let mute: number | undefined;
  const cluster = startCluster(3, (from, to, messages) => {
    if (from.raftId !== mute) cluster.net.deliver(from, to, messages);
  });
  const leader = await electedLeader(cluster.nodes);
  if (followerTickMs !== undefined) for (const n of cluster.nodes) if (n !== leader) n.setTickMs(followerTickMs);
  const termBefore = leader.status().term;
  mute = leader.raftId;
  await new Promise((r) => setTimeout(r, ms));
  mute = undefined;
  const termAfter = Math.max(...cluster.nodes.map((n) => n.status().term));
  return { termBefore, termAfter };
}

describe('RaftNode.setTickMs', () => {
  it('without it, followers that miss the leader for 600 ms elect another (the profile’s timeout is 100–200 ms)', async () => {
    const { termBefore, termAfter } = await silencedLeader(undefined, 600);
    expect(termAfter).toBeGreaterThan(termBefore);
  });

  it('stretched to 500 ms ticks (elections after 5–10 s), followers that miss the leader for 600 ms keep its term', async () => {
    const { termBefore, termAfter } = await silencedLeader(500, 600);
    expect(termAfter).toBe(termBefore);
  });
});

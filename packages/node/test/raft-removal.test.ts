// A manager removed from Raft (docker node demote) must learn that it was removed, or it keeps
// running as a manager of its own, its store stuck where the removal left it, and a promotion
// later never makes it join again. RaftNodes in one process over an in-memory network.

import { describe, expect, it } from 'vitest';
import type { RemovedNotice } from '../src/manager/raft/members.js';
import { electedLeader, startCluster, waitFor } from './helpers/raft-cluster.js';

describe('a manager removed from Raft', () => {
  it('learns its removal from the commit the leader sends it', async () => {
    const { nodes, removedEvents } = startCluster(3);
    const leader = await electedLeader(nodes);
    const victim = nodes.find((n) => n !== leader)!;

    await leader.removeMember(victim.raftId);

    // It applies the entry that removes it: the commit reached it although the leader dropped it
    // from the member list when applying that same entry.
    await waitFor(() => victim.removed.has(victim.raftId), 'the removed member to apply its removal');
    expect(removedEvents).toEqual(new Set([victim.raftId]));
    expect(leader.members.has(victim.raftId)).toBe(false);
    expect(leader.removed.has(victim.raftId)).toBe(true);
  });

  it('learns it from a member it contacts when it was cut off while being removed (SwarmKit ErrMemberRemoved)', async () => {
    const { net, nodes, removedEvents } = startCluster(3);
    const leader = await electedLeader(nodes);
    const victim = nodes.find((n) => n !== leader)!;

    net.cut.add(victim.raftId);
    await leader.removeMember(victim.raftId);
    expect(removedEvents.has(victim.raftId)).toBe(false);
    net.cut.delete(victim.raftId);

    // Without a leader's heartbeats it campaigns; the members answer that it was removed.
    await waitFor(() => removedEvents.has(victim.raftId), 'the cut-off member to learn it was removed once it can talk again');
    const rest = nodes.filter((n) => n !== victim);
    expect(rest.every((n) => n.removed.has(victim.raftId) && !n.members.has(victim.raftId))).toBe(true);
    // The two members left keep their leader: the removed one disturbs nobody.
    expect(rest.every((n) => n.leaderId() === leader.raftId)).toBe(true);
  });
});

describe('answering a removed member', () => {
  const removedId = 7;
  const sender = { nodeId: 'node7', addr: '127.0.0.7:2377' };
  const notice: RemovedNotice = { type: 'MsgMemberRemoved', from: removedId, to: 1 };

  it('answers its Raft messages with a removal notice, but never answers a notice', async () => {
    const sent: { to: number; messages: unknown[] }[] = [];
    const { nodes } = startCluster(1, (_from, to, messages) => sent.push({ to: to.raftId, messages }));
    const [node] = nodes;
    await electedLeader(nodes);
    node.removed.add(removedId);

    node.receive(removedId, [notice], sender);
    expect(sent.filter((s) => s.to === removedId)).toEqual([]);

    const heartbeat = { type: 'MsgHeartbeat' as const, from: removedId, to: 1, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 };
    node.receive(removedId, [heartbeat], sender);
    expect(sent.filter((s) => s.to === removedId)).toEqual([{ to: removedId, messages: [{ type: 'MsgMemberRemoved', from: 1, to: removedId }] }]);
  });
});

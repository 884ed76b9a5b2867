// A manager removed from Raft (docker node demote) must learn that it was removed, or it keeps
// running as a manager of its own, its store stuck where the removal left it, and a promotion
// later never makes it join again. RaftNodes in one process over an in-memory network.

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage, type ConfState, type Entry, type HardState, type Snapshot } from '@swarmlab/raft';
import { EmulatedClock } from '../src/clock.js';
import { PROFILES } from '../src/profile.js';
import { MemoryStore } from '../src/store/memory.js';
import { RaftNode, type RaftLogStore } from '../src/manager/raft/raft-node.js';
import type { RaftMember, RemovedNotice } from '../src/manager/raft/members.js';

/** Raft's log in memory; each save completes on a later turn of the event loop, like a disk write. */
class MemoryLogStore implements RaftLogStore {
  constructor(readonly memory: MemoryStorage) {}

  async save(batch: { hardState?: HardState; entries: Entry[]; snapshot?: Snapshot }): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (batch.snapshot && batch.snapshot.metadata.index > 0) this.memory.applySnapshot(batch.snapshot);
    this.memory.append(batch.entries);
    if (batch.hardState) this.memory.setHardState(batch.hardState);
  }

  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<void> {
    this.memory.createSnapshot(index, confState, data);
  }

  async close(): Promise<void> {}
}

/** Delivers messages between the nodes on the next turn of the event loop; cut nodes hear nothing. */
class Network {
  readonly nodes = new Map<number, RaftNode>();
  readonly cut = new Set<number>();

  deliver(from: RaftMember, to: RaftMember, messages: unknown[]): void {
    if (this.cut.has(from.raftId) || this.cut.has(to.raftId)) return;
    const copy = structuredClone(messages) as Parameters<RaftNode['receive']>[1];
    setImmediate(() => this.nodes.get(to.raftId)?.receive(from.raftId, copy, { nodeId: from.nodeId, addr: from.addr }));
  }
}

const running: RaftNode[] = [];

afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

function startCluster(size: number, transport?: (from: RaftMember, to: RaftMember, messages: unknown[]) => void): { net: Network; nodes: RaftNode[]; removedEvents: Set<number> } {
  const members: RaftMember[] = Array.from({ length: size }, (_, i) => ({ raftId: i + 1, nodeId: `node${i + 1}`, addr: `127.0.0.${i + 1}:2377` }));
  const net = new Network();
  const removedEvents = new Set<number>();
  const nodes = members.map((self) => {
    const node = new RaftNode({
      raftId: self.raftId,
      nodeId: self.nodeId,
      addr: self.addr,
      storage: new MemoryLogStore(MemoryStorage.bootstrap(members.map((m) => m.raftId))),
      store: new MemoryStore(),
      transport: { send: (to, messages) => (transport ?? net.deliver.bind(net))(self, to, messages) },
      clock: new EmulatedClock(),
      profile: PROFILES.fast,
      initialMembers: members,
    });
    node.on('removed', () => removedEvents.add(self.raftId));
    net.nodes.set(self.raftId, node);
    running.push(node);
    return node;
  });
  for (const n of nodes) n.start();
  return { net, nodes, removedEvents };
}

/** Polls until `check` holds; fails with `what` after `ms` (a bound, not a timing assertion). */
async function waitFor(check: () => boolean, what: string, ms = 4_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function electedLeader(nodes: RaftNode[]): Promise<RaftNode> {
  let leader: RaftNode | undefined;
  await waitFor(() => {
    leader = nodes.find((n) => n.isLeader() && nodes.every((m) => m.leaderId() === n.raftId));
    return leader !== undefined;
  }, 'a leader every node follows');
  return leader!;
}

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

// RaftNodes in one process over an in-memory network, for tests of the Raft shell.

import { afterEach } from 'vitest';
import { MemoryStorage, type ConfState, type Entry, type HardState, type Snapshot } from '@swarmlab/raft';
import { EmulatedClock } from '../../src/clock.js';
import { PROFILES } from '../../src/profile.js';
import { MemoryStore, type Transaction } from '../../src/store/memory.js';
import { RaftNode, type RaftLogStore, type RaftNodeOptions } from '../../src/manager/raft/raft-node.js';
import type { RaftMember } from '../../src/manager/raft/members.js';

/** Raft's log in memory; each save completes on a later turn of the event loop, like a disk write. */
export class MemoryLogStore implements RaftLogStore {
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

export function startCluster(
  size: number,
  transport?: (from: RaftMember, to: RaftMember, messages: unknown[]) => void,
  options: Partial<RaftNodeOptions> = {},
  storageFor: (memory: MemoryStorage) => RaftLogStore = (memory) => new MemoryLogStore(memory),
): { net: Network; nodes: RaftNode[]; stores: MemoryStore[]; removedEvents: Set<number> } {
  const members: RaftMember[] = Array.from({ length: size }, (_, i) => ({ raftId: i + 1, nodeId: `node${i + 1}`, addr: `127.0.0.${i + 1}:2377` }));
  const net = new Network();
  const removedEvents = new Set<number>();
  const stores = members.map(() => new MemoryStore());
  const nodes = members.map((self, i) => {
    const node = new RaftNode({
      raftId: self.raftId,
      nodeId: self.nodeId,
      addr: self.addr,
      storage: storageFor(MemoryStorage.bootstrap(members.map((m) => m.raftId))),
      store: stores[i],
      transport: { send: (to, messages) => (transport ?? net.deliver.bind(net))(self, to, messages) },
      clock: new EmulatedClock(),
      profile: PROFILES.fast,
      initialMembers: members,
      ...options,
    });
    node.on('removed', () => removedEvents.add(self.raftId));
    net.nodes.set(self.raftId, node);
    running.push(node);
    return node;
  });
  for (const n of nodes) n.start();
  return { net, nodes, stores, removedEvents };
}

/** startCluster with each manager's log store built by `make`; returns the stores with the cluster. */
export function clusterWithLogs<L extends RaftLogStore>(size: number, make: (memory: MemoryStorage) => L, options: Partial<RaftNodeOptions> = {}) {
  const logs: L[] = [];
  const cluster = startCluster(size, undefined, options, (memory) => {
    const log = make(memory);
    logs.push(log);
    return log;
  });
  return { ...cluster, logs };
}

/** Polls until `check` holds; fails with `what` after `ms` (a bound, not a timing assertion). */
export async function waitFor(check: () => boolean, what: string, ms = 4_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function electedLeader(nodes: RaftNode[]): Promise<RaftNode> {
  let leader: RaftNode | undefined;
  await waitFor(() => {
    leader = nodes.find((n) => n.isLeader() && nodes.every((m) => m.leaderId() === n.raftId));
    return leader !== undefined;
  }, 'a leader every node follows');
  return leader!;
}

/** A transaction creating config `name` (what the shell tests propose). */
export function createConfig(name: string): Transaction {
  const time = new Date().toISOString();
  return { changes: [{ action: 'create', table: 'config', object: { ID: `id-${name}`, Version: { Index: 0 }, CreatedAt: time, UpdatedAt: time, Spec: { Name: name } } }], time };
}

// A cluster of Raft cores wired directly to each other, for measuring the core's throughput:
// messages are handed over in memory, storage is a MemoryStorage, nothing fails and nothing waits.

import { decodeConfChange } from '../src/confchange-codec.js';
import { SeededRandom } from '../src/rand.js';
import { RawNode } from '../src/rawnode.js';
import { MemoryStorage } from '../src/storage.js';
import type { ConfState, Message, NodeId } from '../src/types.js';

interface BenchNode {
  id: NodeId;
  node: RawNode;
  storage: MemoryStorage;
  applied: number;
  confState: ConfState;
}

export interface BenchResult {
  committed: number;
  seconds: number;
  perSecond: number;
}

/** Entries kept below each snapshot, and how often nodes snapshot, as a real server would. */
const SNAPSHOT_EVERY = 20_000;
const KEEP = 1_000;

export class BenchCluster {
  private readonly nodes: BenchNode[] = [];
  private readonly byId = new Map<NodeId, BenchNode>();
  private outbox: Message[] = [];
  /** Entries the leader has applied so far (every entry committed, no-ops included). */
  leaderApplied = 0;

  constructor(voters: number) {
    const ids = Array.from({ length: voters }, (_, i) => i + 1);
    for (const id of ids) {
      const storage = MemoryStorage.bootstrap(ids);
      const node = new RawNode({ id, storage, random: new SeededRandom(id), electionTick: 10, heartbeatTick: 1 });
      const n: BenchNode = { id, node, storage, applied: 0, confState: storage.snapshot().metadata.confState };
      this.nodes.push(n);
      this.byId.set(id, n);
    }
    // Apply the bootstrap membership first: a node with committed, unapplied membership
    // changes does not campaign.
    this.settle();
    this.nodes[0].node.campaign();
    this.settle();
    if (this.leader.node.status().state !== 'leader') throw new Error('bench: node 1 did not become leader');
  }

  get leader(): BenchNode {
    return this.nodes[0];
  }

  propose(data: Uint8Array): void {
    this.leader.node.propose(data);
  }

  /** One round: every node handles its Ready, then every message sent is delivered. */
  round(): void {
    for (const n of this.nodes) this.handleReady(n);
    const msgs = this.outbox;
    this.outbox = [];
    for (const m of msgs) this.byId.get(m.to)?.node.step(m);
  }

  /** Rounds until nothing is left to do. */
  settle(): void {
    for (let i = 0; i < 1000; i++) {
      this.round();
      if (this.outbox.length === 0 && this.nodes.every((n) => !n.node.hasReady())) return;
    }
    throw new Error('bench: the cluster did not settle');
  }

  private handleReady(n: BenchNode): void {
    while (n.node.hasReady()) {
      const rd = n.node.ready();
      if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState) n.storage.setHardState(rd.hardState);
      for (const m of rd.messages) this.outbox.push(m);
      for (const e of rd.committedEntries) {
        n.applied = e.index;
        if (e.type === 'confChange') n.confState = n.node.applyConfChange(decodeConfChange(e.data));
        if (n === this.leader) this.leaderApplied++;
      }
      n.node.advance(rd);
      if (n.applied - n.storage.snapshot().metadata.index >= SNAPSHOT_EVERY) {
        n.storage.createSnapshot(n.applied, n.confState, new Uint8Array(8));
        n.storage.compact(n.applied - KEEP);
      }
    }
  }
}

/**
 * Committed entries per second with `proposers` clients, each proposing, waiting for its entry
 * to commit, and proposing again. With many proposers the leader batches their entries into
 * one Ready and one MsgApp per follower.
 */
export function measureThroughput(voters: number, proposers: number, seconds: number, payloadBytes: number): BenchResult {
  const cluster = new BenchCluster(voters);
  const payload = new Uint8Array(payloadBytes);
  const deadline = performance.now() + seconds * 1000;
  const start = cluster.leaderApplied;
  const began = performance.now();
  let outstanding = 0;
  let acked = cluster.leaderApplied;
  let now = began;
  while (now < deadline) {
    // The clients whose writes committed propose their next one.
    outstanding -= cluster.leaderApplied - acked;
    acked = cluster.leaderApplied;
    for (; outstanding < proposers; outstanding++) cluster.propose(payload);
    cluster.round();
    now = performance.now();
  }
  const committed = cluster.leaderApplied - start;
  const elapsed = (now - began) / 1000;
  return { committed, seconds: elapsed, perSecond: committed / elapsed };
}

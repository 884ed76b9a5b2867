// A tiny synchronous harness for unit tests: raft nodes with durable MemoryStorage, and a
// network that delivers every message at once unless a link is cut or a filter drops it.

import {
  decodeConfChange,
  MemoryStorage,
  RawNode,
  SeededRandom,
  type Config,
  type Message,
  type NodeId,
  type Ready,
} from '../../src/index.js';

export interface TestNode {
  node: RawNode;
  storage: MemoryStorage;
  applied: Uint8Array[];
  /** Applied entries by index (normal, non-empty), for safety checks. */
  appliedAt: Map<number, string>;
  readStates: { index: number; context: string }[];
}

export type Drop = (m: Message) => boolean;

export class TestCluster {
  readonly nodes = new Map<NodeId, TestNode>();
  /** Links that are cut, as "from->to". */
  readonly cut = new Set<string>();
  drop: Drop | undefined;
  /** Every message delivered, in order, for assertions. */
  readonly delivered: Message[] = [];
  private queue: Message[] = [];

  constructor(
    ids: NodeId[],
    private readonly extra: Partial<Config> = {},
    seed = 1,
  ) {
    const rng = new SeededRandom(seed);
    for (const id of ids) this.add(id, MemoryStorage.bootstrap(ids), rng.nextU32());
    // Apply the bootstrap entries: a node campaigns only once its configuration is applied.
    this.settle();
  }

  add(id: NodeId, storage = new MemoryStorage(), seed = id, override: Partial<Config> = {}): TestNode {
    const node = new RawNode({
      id,
      storage,
      random: new SeededRandom(seed),
      electionTick: 10,
      heartbeatTick: 1,
      applied: storage.snapshot().metadata.index,
      ...this.extra,
      ...override,
    });
    const t: TestNode = { node, storage, applied: [], appliedAt: new Map(), readStates: [] };
    this.nodes.set(id, t);
    return t;
  }

  get(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Restarts a node from its durable storage only. */
  restart(id: NodeId, override: Partial<Config> = {}): TestNode {
    const old = this.get(id);
    return this.add(id, old.storage, id + 1000, override);
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
    this.drop = undefined;
  }

  private handleReady(t: TestNode, rd: Ready): void {
    if (rd.snapshot) t.storage.applySnapshot(rd.snapshot);
    t.storage.append(rd.entries);
    if (rd.hardState) t.storage.setHardState(rd.hardState);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) {
      if (e.type === 'confChange') t.node.applyConfChange(decodeConfChange(e.data));
      else if (e.data.length > 0) {
        t.applied.push(e.data);
        t.appliedAt.set(e.index, Buffer.from(e.data).toString());
      }
    }
    for (const rs of rd.readStates) t.readStates.push({ index: rs.index, context: Buffer.from(rs.context).toString() });
    t.node.advance(rd);
  }

  /** Processes Ready on every node and delivers messages until quiet. */
  settle(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let busy = false;
      for (const t of this.nodes.values()) {
        if (t.node.hasReady()) {
          busy = true;
          this.handleReady(t, t.node.ready());
        }
      }
      const q = this.queue;
      this.queue = [];
      for (const m of q) {
        busy = true;
        if (this.cut.has(`${m.from}->${m.to}`) || this.drop?.(m)) continue;
        const dest = this.nodes.get(m.to);
        if (!dest) continue;
        this.delivered.push(m);
        dest.node.step(m);
      }
      if (!busy) return;
    }
    throw new Error('cluster did not settle');
  }

  tick(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const t of this.nodes.values()) t.node.tick();
      this.settle();
    }
  }

  /** Ticks until some node is leader; returns its id. */
  electLeader(maxTicks = 200): NodeId {
    for (let i = 0; i < maxTicks; i++) {
      const l = this.leader();
      if (l !== undefined) return l;
      this.tick();
    }
    throw new Error('no leader elected');
  }

  leader(): NodeId | undefined {
    const leaders = [...this.nodes.values()].filter((t) => t.node.status().state === 'leader');
    if (leaders.length === 0) return undefined;
    // The highest-term leader is the real one; a stale one may linger in a minority.
    leaders.sort((a, b) => b.node.status().term - a.node.status().term);
    return leaders[0].node.id;
  }

  propose(data: string, via?: NodeId): { index: number; term: number } {
    const id = via ?? this.leader();
    if (id === undefined) throw new Error('no leader');
    const r = this.get(id).node.propose(Buffer.from(data));
    this.settle();
    return r;
  }
}

export const text = (b: Uint8Array) => Buffer.from(b).toString();

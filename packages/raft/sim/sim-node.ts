// One simulated server: a Raft core, its "disk" (a MemoryStorage that survives crashes) and the
// application state machine (lost on a crash, rebuilt from the snapshot and the log on restart).
// Ready batches are processed in etcd's classic order: persist, send, apply, advance; either at
// once, or after a delay during which the core keeps stepping messages.

import { decodeConfChange } from '../src/confchange-codec.js';
import type { Config } from '../src/config.js';
import { SeededRandom } from '../src/rand.js';
import type { Raft } from '../src/raft.js';
import { RawNode } from '../src/rawnode.js';
import { MemoryStorage } from '../src/storage.js';
import { emptyConfState, type ConfState, type Entry, type Message, type NodeId, type ReadState, type Ready, type Snapshot, type StateType } from '../src/types.js';
import { applyEntry, decodeSnapshot, encodeSnapshot, initialAppState, mix, type AppState } from './app-state.js';
import type { RaftParams, WorkloadParams } from './params.js';

/** Builds the core; tests of the simulator pass subclasses with deliberate bugs. */
export type CoreFactory = (config: Config) => Raft;

/** What a node tells the rest of the simulation while it processes a Ready. */
export interface NodeObserver {
  send(from: SimNode, m: Message): void;
  /** Calls node.finishPendingReady() after `delay` time units (same incarnation only). */
  scheduleReady(node: SimNode, delay: number): void;
  /** Entries just made durable; `prevTerm` is the term of the entry before the first one. */
  persisted(node: SimNode, entries: Entry[], prevTerm: number): void;
  snapshotInstalled(node: SimNode, snap: Snapshot): void;
  /** The node's durable commit index moved from `from - 1` to `to`. */
  durableCommit(node: SimNode, from: number, to: number): void;
  applied(node: SimNode, e: Entry): void;
  readState(node: SimNode, rs: ReadState): void;
  /** Called after each Ready's committed entries were applied. */
  afterApply(node: SimNode): void;
}

export class SimViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimViolation';
  }
}

export class SimNode {
  /** Undefined while the node is down. */
  raft: Raft | undefined;
  private rawNode: RawNode | undefined;
  app: AppState = initialAppState();
  confState: ConfState = emptyConfState();
  incarnation = 0;
  /** The Ready being written and applied while readyDelay > 0. */
  private pendingReady: Ready | undefined;
  /** A membership change was applied since the last snapshot. */
  private snapshotDue = false;
  /** Client proposals made through this incarnation, by log index. */
  readonly pendingProposals = new Map<number, { id: number; term: number }>();
  /** ReadIndex requests made through this incarnation, by read id. */
  readonly pendingReads = new Map<number, { minIndex: number; index: number }>();
  /** What the checkers last saw of this node, to notice changes. */
  seen = { state: 'follower' as StateType, term: 0, lead: 0, commit: 0, leaderOf: 0 };

  constructor(
    readonly id: NodeId,
    /** The node's disk: what is written here survives crashes. */
    readonly storage: MemoryStorage,
    /** Virtual time units between two ticks of this node's clock. */
    readonly tickPeriod: number,
    private readonly seed: number,
    /** Time units to persist and apply one Ready; 0 processes Ready batches synchronously. */
    private readonly readyDelay: number,
    private readonly raftParams: RaftParams,
    private readonly workload: WorkloadParams,
    private readonly factory: CoreFactory,
    private readonly observer: NodeObserver,
  ) {}

  get up(): boolean {
    return this.rawNode !== undefined;
  }

  get node(): RawNode {
    if (!this.rawNode) throw new Error(`node ${this.id} is down`);
    return this.rawNode;
  }

  /** Boots (or reboots) from whatever the storage holds. */
  start(): void {
    this.incarnation++;
    const snap = this.storage.snapshot();
    this.app = snap.metadata.index > 0 ? decodeSnapshot(snap.data) : initialAppState();
    this.confState = snap.metadata.confState;
    const config: Config = {
      id: this.id,
      storage: this.storage,
      random: new SeededRandom(mix(mix(this.seed, this.id), this.incarnation)),
      applied: snap.metadata.index,
      electionTick: this.raftParams.electionTick,
      heartbeatTick: this.raftParams.heartbeatTick,
      maxSizePerMsg: this.raftParams.maxSizePerMsg,
      maxInflightMsgs: this.raftParams.maxInflightMsgs,
      snapshotChunkBytes: this.raftParams.snapshotChunkBytes,
      checkQuorum: this.raftParams.checkQuorum,
      preVote: this.raftParams.preVote,
    };
    this.raft = this.factory(config);
    this.rawNode = RawNode.fromRaft(this.raft);
    this.seen = { state: this.raft.state, term: this.raft.term, lead: this.raft.lead, commit: 0, leaderOf: 0 };
  }

  /** One line: role, term, log and configuration, for failure reports. */
  describe(): string {
    const hs = this.storage.hardStateNow();
    const cs = this.confState;
    const outgoing = cs.votersOutgoing.length > 0 ? ` & ${cs.votersOutgoing.join(',')}` : '';
    const config = `voters ${cs.voters.join(',') || '-'}${outgoing}; learners ${cs.learners.join(',') || '-'}`;
    const last = this.storage.lastIndex();
    const log = `log ${this.storage.firstIndex()}..${last} (last term ${this.storage.term(last)})`;
    const r = this.raft;
    if (!r) return `node ${this.id}: down; term ${hs.term} vote ${hs.vote} commit ${hs.commit}; ${log}; ${config}`;
    return `node ${this.id}: ${r.state} term ${r.term} lead ${r.lead} vote ${r.vote}; commit ${r.raftLog.committed} applied ${this.app.applied}; ${log}; ${config}`;
  }

  /** Loses everything that is not in storage. */
  crash(): void {
    // A Ready still being written is lost with the process.
    this.pendingReady = undefined;
    this.raft = undefined;
    this.rawNode = undefined;
    this.pendingProposals.clear();
    this.pendingReads.clear();
  }

  /**
   * Hands the core's output to the "disk and application". With no Ready delay this drains every
   * Ready at once. Otherwise it takes one Ready and has the observer schedule its processing
   * later: meanwhile the core keeps stepping messages and ticks, as etcd's Node does while the
   * application fsyncs and applies, so entries can be committed and not yet applied.
   */
  kick(): void {
    const node = this.node;
    if (this.readyDelay === 0) {
      while (node.hasReady()) this.process(node.ready());
      return;
    }
    if (this.pendingReady || !node.hasReady()) return;
    this.pendingReady = node.ready();
    this.observer.scheduleReady(this, this.readyDelay);
  }

  /** The delayed Ready is done being written and applied. */
  finishPendingReady(): void {
    const rd = this.pendingReady;
    if (!rd) return;
    this.pendingReady = undefined;
    this.process(rd);
    this.kick();
  }

  /** Persist, send, apply, acknowledge: etcd's classic order. */
  private process(rd: Ready): void {
    this.persist(rd);
    for (const m of rd.messages) this.observer.send(this, m);
    for (const e of rd.committedEntries) this.apply(e);
    for (const rs of rd.readStates) this.observer.readState(this, rs);
    this.observer.afterApply(this);
    this.node.advance(rd);
    this.maybeCompact();
  }

  /**
   * Makes the next Ready durable and goes no further: the process dies between its fsync and
   * sending the messages. The caller crashes the node next.
   */
  persistThenStop(): void {
    const rd = this.pendingReady ?? (this.node.hasReady() ? this.node.ready() : undefined);
    this.pendingReady = undefined;
    if (rd) this.persist(rd);
  }

  private persist(rd: Ready): void {
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    if (rd.entries.length > 0) {
      this.storage.append(rd.entries);
      this.observer.persisted(this, rd.entries, this.storage.term(rd.entries[0].index - 1));
    }
    if (rd.hardState) {
      const before = this.storage.hardStateNow().commit;
      this.storage.setHardState(rd.hardState);
      if (rd.hardState.commit > before) this.observer.durableCommit(this, before + 1, rd.hardState.commit);
    }
  }

  private installSnapshot(snap: Snapshot): void {
    this.storage.applySnapshot(snap);
    let state: AppState;
    try {
      state = decodeSnapshot(snap.data);
    } catch (e) {
      throw new SimViolation(`node ${this.id} received a bad snapshot at ${snap.metadata.index}: ${(e as Error).message}`);
    }
    if (state.applied !== snap.metadata.index) {
      throw new SimViolation(`node ${this.id} got snapshot ${snap.metadata.index} holding the state at ${state.applied}`);
    }
    this.app = state;
    this.confState = snap.metadata.confState;
    this.observer.snapshotInstalled(this, snap);
  }

  private apply(e: Entry): void {
    if (e.index !== this.app.applied + 1) {
      throw new SimViolation(`node ${this.id} was handed entry ${e.index} to apply after ${this.app.applied}`);
    }
    applyEntry(this.app, e);
    if (e.type === 'confChange') {
      this.confState = this.node.applyConfChange(decodeConfChange(e.data));
      this.snapshotDue = true;
    }
    this.observer.applied(this, e);
  }

  /**
   * Snapshots the applied state now and then and drops the log below it, as SwarmKit does.
   * Also right after a membership change: a node added later can only install a snapshot whose
   * configuration includes it (the core refuses others, as etcd-io/raft does), so the snapshot
   * a leader sends must not predate the change (etcd's server sends one of its current state).
   */
  private maybeCompact(): void {
    const every = this.workload.snapshotEvery;
    if (every === 0) return;
    const applied = this.app.applied;
    const since = applied - this.storage.snapshot().metadata.index;
    if (since <= 0 || (since < every && !this.snapshotDue)) return;
    this.snapshotDue = false;
    this.storage.createSnapshot(applied, this.confState, encodeSnapshot(this.app, this.workload.snapshotPadding));
    const compactTo = applied - this.workload.compactionKeep;
    if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo);
  }
}

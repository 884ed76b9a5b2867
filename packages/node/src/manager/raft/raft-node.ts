// The I/O shell around the pure Raft core on a manager: ticks on the emulated clock, persists
// each Ready (entries fsynced before messages go out), sends messages through the transport,
// applies committed entries to the store, serves linearizable reads (ReadIndex), and keeps the
// member list. One serial Ready loop; everything else only pokes it.

import {
  decodeConfChange,
  isSafeBeforePersist,
  NoLeaderError,
  NotLeaderError,
  RaftError,
  RawNode,
  SeededRandom,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type Ready,
  type Status,
} from '@swarmlab/raft';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Packr } from 'msgpackr';
import type { EmulatedClock } from '../../clock.js';
import type { TimingProfile } from '../../profile.js';
import { validTransaction, type MemoryStore, type StoreConflictError, type Transaction } from '../../store/memory.js';
import { binHeader, mapHeader } from '@swarmlab/transport';
import { decodeMember, encodeMember, isRemovedNotice, type RaftMember, type RemovedNotice } from './members.js';

/** What the Raft shell needs from disk (implemented by storage/RaftDiskStorage). */
export interface RaftLogStore {
  readonly memory: import('@swarmlab/raft').MemoryStorage;
  save(batch: { hardState?: Ready['hardState']; entries: Entry[]; snapshot?: Ready['snapshot']; sync?: boolean; background?: boolean }): Promise<void>;
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** How Raft messages leave this manager (the mTLS transport in production, a fake in tests). */
export interface RaftTransport {
  /** Hands the messages to the connection before it returns (they are not held to the end of the task). */
  send(to: RaftMember, messages: (Message | RemovedNotice)[]): void;
}

export interface RaftNodeOptions {
  raftId: number;
  nodeId: string;
  addr: string;
  storage: RaftLogStore;
  store: MemoryStore;
  transport: RaftTransport;
  clock: EmulatedClock;
  profile: TimingProfile;
  /** Members known before the log says so (a joiner learns them from the join reply). */
  initialMembers?: RaftMember[];
  snapshotInterval?: number;
  logEntriesForSlowFollowers?: number;
  /** How long a commit-only append waits for a write's append to carry its news (real ms; see deferAnnouncements). */
  commitAnnounceDelayMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

const packr = new Packr({ useRecords: false, moreTypes: true });

interface Payload {
  kind: 'tx';
  tx: Transaction;
}

interface Pending {
  term: number;
  resolve: (refusal: StoreConflictError | undefined) => void;
  reject: (e: Error) => void;
}

/** SwarmKit's texts (swarm-facts §1.4). */
export const ERR_LOST_LEADERSHIP = 'raft: failed to process the request: node lost leader status';
export const ERR_NO_LEADER_MESSAGE =
  "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

interface ReadWaiter {
  resolve: () => void;
  reject: (e: Error) => void;
  /** Answered (or timed out) already. */
  done: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class RaftNode extends EventEmitter {
  readonly raftId: number;
  readonly node: RawNode;
  readonly members = new Map<number, RaftMember>();
  /** Raft IDs removed from the cluster; they must never come back. */
  readonly removed = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly reads = new Map<string, { resolve: (index: number) => void; reject: (e: Error) => void }>();
  private readonly readWaiters: { index: number; resolve: () => void }[] = [];
  /** Reads waiting for the next ReadIndex round, and whether one is in flight. */
  private nextReads: ReadWaiter[] = [];
  private readRoundInFlight = false;
  private readonly lastHeard = new Map<number, number>();
  private ticker: NodeJS.Timeout | undefined;
  /** Emulated ms between ticks: the profile's, until setTickMs stretches it (tick.ts). */
  private tickMs: number;
  /** Commit-only appends waiting to go out, by peer (see deferAnnouncements). */
  private readonly announcements = new Map<number, { message: Message; member: RaftMember }>();
  private announceTimer: NodeJS.Timeout | undefined;
  private running = false;
  private processing = false;
  private again = false;
  private ticksWithoutLeader = 0;
  /** SwarmKit campaignWhenAble: until the configuration is known, see whether we are its only voter. */
  private campaignWhenAble = true;
  private confState: ConfState;
  private appliedIndex: number;
  private snapshotIndex: number;
  private snapshotInterval: number;
  /** A member joined since the last snapshot (see maybeSnapshot). */
  private memberAdded = false;
  /** This manager learned it was removed ('removed' is emitted once). */
  private removedSelf = false;
  /** The snapshot being packed and written, if one is (see takeSnapshot). */
  private snapshotting: Promise<void> | undefined;

  constructor(private readonly o: RaftNodeOptions) {
    super();
    this.raftId = o.raftId;
    this.snapshotInterval = o.snapshotInterval ?? 10_000;
    this.tickMs = o.profile.raftTickMs;
    const mem = o.storage.memory;
    const snap = mem.snapshot();
    this.confState = snap.metadata.confState;
    this.snapshotIndex = snap.metadata.index;
    this.appliedIndex = snap.metadata.index;
    if (snap.data.length > 0) this.restoreSnapshotData(snap.data);
    this.node = new RawNode({
      id: o.raftId,
      storage: mem,
      random: new SeededRandom(randomBytes(4).readUInt32LE(0)),
      electionTick: o.profile.electionTick,
      heartbeatTick: o.profile.heartbeatTick,
      applied: this.appliedIndex,
      maxSizePerMsg: 65535,
      maxInflightMsgs: 256,
      checkQuorum: true,
      preVote: true,
    });
    for (const m of o.initialMembers ?? []) if (!this.members.has(m.raftId)) this.members.set(m.raftId, m);
    if (!this.members.has(o.raftId)) this.members.set(o.raftId, { raftId: o.raftId, nodeId: o.nodeId, addr: o.addr });
  }

  start(): void {
    this.running = true;
    this.restartTicker();
    this.poke();
  }

  /**
   * Ticks every `ms` emulated ms from now on: every timeout counted in ticks (heartbeat, election,
   * quorum check, lost quorum) scales with it. Only ever at least the profile's tick (tick.ts).
   */
  setTickMs(ms: number): void {
    if (ms === this.tickMs) return;
    this.tickMs = ms;
    if (this.running) this.restartTicker();
  }

  private restartTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = this.o.clock.setInterval(() => this.tick(), this.tickMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.ticker) clearInterval(this.ticker);
    this.cancelAnnouncements();
    this.failAll(new RaftError('ProposalDropped', 'raft: node is shutting down'));
    // Let an in-flight save and snapshot finish before closing the files.
    while (this.processing) await new Promise((r) => setTimeout(r, 5));
    await this.snapshotting;
    await this.o.storage.close();
  }

  private tick(): void {
    this.node.tick();
    const st = this.node.raft;
    this.ticksWithoutLeader = st.lead === 0 ? this.ticksWithoutLeader + 1 : 0;
    this.poke();
  }

  // ---- inputs ------------------------------------------------------------------------------------

  /**
   * Messages from a peer manager (already authenticated by mTLS). `sender` is where the link
   * says they came from: a member we do not know yet (we restarted before applying the change
   * that added it) becomes reachable at once instead of waiting for a log we cannot fetch.
   * A removed member is answered with a removal notice instead of being heard.
   */
  receive(from: number, messages: (Message | RemovedNotice)[], sender?: { nodeId: string; addr: string }): void {
    if (this.removed.has(from)) {
      // Never a notice in answer to a notice: two managers that each applied the other's removal
      // would otherwise echo them back and forth until their daemons stop them.
      if (messages.some((m) => !isRemovedNotice(m))) this.tellRemoved(from, sender);
      return;
    }
    if (sender && !this.members.has(from)) this.members.set(from, { raftId: from, ...sender });
    this.lastHeard.set(from, this.o.clock.now());
    for (const m of messages) {
      if (isRemovedNotice(m)) {
        // A stopped instance (the daemon already moved on) must not act on it.
        if (m.to === this.raftId && this.running) this.learnRemoved('a member says this manager was removed', from);
        continue;
      }
      if (this.removed.has(m.from)) continue;
      try {
        this.node.step(m);
      } catch (e) {
        this.o.log?.('warn', 'raft: dropped a message the core refused', { from, type: m.type, err: String(e) });
      }
    }
    this.applyCommittedEarly();
    this.poke();
  }

  /**
   * A leader whose Ready loop is waiting for its own disk can learn of commits meanwhile: two
   * followers that have the entries are a quorum of three without it. It applies them (and answers
   * their writers) at once, as etcd's apply loop runs beside its Raft loop, instead of after its
   * own datasync; the next Ready hands them over again and applyReady skips them. A membership
   * change stops it: those are applied in order with the Ready loop.
   */
  private applyCommittedEarly(): void {
    if (!this.processing || !this.running || this.node.raft.state !== 'leader') return;
    const log = this.node.raft.raftLog;
    if (log.committed <= this.appliedIndex) return;
    for (const e of log.slice(this.appliedIndex + 1, log.committed + 1, Number.MAX_SAFE_INTEGER)) {
      if (e.type === 'confChange') break;
      this.applyEntry(e);
    }
    this.releaseReadWaiters();
  }

  /**
   * A removed member still talks to us: it missed the commit of its removal (it was cut off, or
   * down). Answer as SwarmKit's ErrMemberRemoved, at the address its link came from.
   */
  private tellRemoved(raftId: number, sender: { nodeId: string; addr: string } | undefined): void {
    if (!this.running || this.removedSelf || !sender) return;
    this.o.transport.send({ raftId, ...sender }, [{ type: 'MsgMemberRemoved', from: this.raftId, to: raftId }]);
  }

  /** Once: the daemon then stops this manager and wipes its Raft data (SwarmKit's NodeRemoved). */
  private learnRemoved(how: string, from?: number): void {
    if (this.removedSelf) return;
    this.removedSelf = true;
    this.o.log?.('info', 'raft: removed from the cluster', { how, from });
    this.emit('removed');
  }

  isLeader(): boolean {
    return this.node.raft.state === 'leader';
  }

  leaderId(): number {
    return this.node.raft.lead;
  }

  leaderMember(): RaftMember | undefined {
    const lead = this.node.raft.lead;
    return lead ? this.members.get(lead) : undefined;
  }

  /** No leader for longer than lostQuorumTimeout: callers fail at once (SwarmKit's LeaderConn). */
  lostQuorum(): boolean {
    return this.ticksWithoutLeader >= this.o.profile.lostQuorumTicks;
  }

  status(): Status {
    return this.node.status();
  }

  /** Whether a peer was heard from within two election timeouts (SwarmKit: transport activity). */
  isReachable(raftId: number): boolean {
    if (raftId === this.raftId) return true;
    const last = this.lastHeard.get(raftId);
    if (last === undefined) return false;
    return this.o.clock.now() - last < 2 * this.o.profile.electionTick * this.tickMs;
  }

  /** Proposes a store transaction; resolves once it is applied here, or rejects. */
  async proposeTransaction(tx: Transaction): Promise<void> {
    const data = packr.pack({ kind: 'tx', tx } satisfies Payload);
    const refusal = await this.proposeAndWait(() => this.node.propose(data));
    // The store refused it when applying (stale version, name taken): same verdict everywhere.
    if (refusal) throw refusal;
  }

  /** Resolves with the store's refusal of the entry, if it refused it, once applied here. */
  private proposeAndWait(propose: () => { index: number; term: number }): Promise<StoreConflictError | undefined> {
    return new Promise((resolve, reject) => {
      let r: { index: number; term: number };
      try {
        r = propose();
      } catch (e) {
        reject(this.translate(e));
        return;
      }
      this.pending.set(r.index, { term: r.term, resolve, reject });
      this.poke();
    });
  }

  private translate(e: unknown): Error {
    if (e instanceof NotLeaderError) return new RaftError('NotLeader', ERR_LOST_LEADERSHIP);
    if (e instanceof NoLeaderError) return new RaftError('NoLeader', this.lostQuorum() ? ERR_NO_LEADER_MESSAGE : e.message);
    return e instanceof Error ? e : new Error(String(e));
  }

  /** Adds a manager as a voter (the leader only); resolves once the change is applied. */
  async addMember(member: RaftMember): Promise<void> {
    const cc: ConfChange = { changes: [{ type: 'addNode', nodeId: member.raftId }], context: encodeMember(member) };
    await this.proposeAndWait(() => this.node.proposeConfChange(cc));
  }

  async removeMember(raftId: number): Promise<void> {
    const cc: ConfChange = { changes: [{ type: 'removeNode', nodeId: raftId }] };
    await this.proposeAndWait(() => this.node.proposeConfChange(cc));
  }

  transferLeadership(to: number): void {
    this.node.transferLeadership(to);
    this.poke();
  }

  /**
   * Waits until this manager's store reflects every write committed before the call
   * (ReadIndex: a quorum confirms the leader, no log write).
   */
  linearizableRead(timeoutMs = this.o.profile.requestTimeoutMs): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: ReadWaiter = { resolve, reject, done: false, timer: undefined };
      waiter.timer = this.o.clock.setTimeout(() => {
        waiter.done = true;
        reject(new RaftError('Unavailable', this.lostQuorum() ? ERR_NO_LEADER_MESSAGE : 'context deadline exceeded'));
      }, timeoutMs);
      this.nextReads.push(waiter);
      this.issueReadRound();
    });
  }

  /**
   * One ReadIndex round at a time, as etcd's read loop: every read that arrives while a round is
   * in flight joins the next one, so a burst of reads costs one heartbeat round, not one each.
   */
  private issueReadRound(): void {
    if (this.readRoundInFlight || this.nextReads.length === 0) return;
    const batch = this.nextReads.filter((w) => !w.done);
    this.nextReads = [];
    if (batch.length === 0) return;
    const ctx = randomBytes(8);
    const key = ctx.toString('hex');
    this.readRoundInFlight = true;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(roundTimer);
      this.reads.delete(key);
      this.readRoundInFlight = false;
      setImmediate(() => this.issueReadRound());
      return true;
    };
    const fail = (e: Error) => {
      if (!settle()) return;
      for (const w of batch) if (!w.done) (clearTimeout(w.timer), (w.done = true), w.reject(e));
    };
    // A round whose answer never comes (the leader lost its term) must not block later rounds.
    const roundTimer = this.o.clock.setTimeout(
      () => fail(new RaftError('Unavailable', this.lostQuorum() ? ERR_NO_LEADER_MESSAGE : 'context deadline exceeded')),
      this.o.profile.requestTimeoutMs,
    );
    this.reads.set(key, {
      resolve: (index) => {
        if (!settle()) return;
        for (const w of batch) {
          if (w.done) continue;
          clearTimeout(w.timer);
          w.done = true;
          if (this.appliedIndex >= index) w.resolve();
          else this.readWaiters.push({ index, resolve: w.resolve });
        }
      },
      reject: fail,
    });
    try {
      this.node.readIndex(ctx);
    } catch (e) {
      fail(this.translate(e));
      return;
    }
    this.poke();
  }

  // ---- the Ready loop ------------------------------------------------------------------------

  private poke(): void {
    if (!this.running) return;
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = true;
    setImmediate(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        while (this.running && this.node.hasReady()) {
          const rd = this.node.ready();
          await this.handleReady(rd);
        }
      } while (this.again && this.running);
    } catch (e) {
      this.o.log?.('error', 'raft: ready loop failed', { err: String(e) });
      this.emit('fatal', e);
    } finally {
      this.processing = false;
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.softState) this.onSoftState(rd.softState.state === 'leader', rd.softState.lead);
    let later = rd.messages;
    const announcements: Message[] = [];
    // The commit index is written too (etcd writes every hard state): --force-new-cluster keeps
    // exactly the entries the disk says are committed.
    const mustSave = rd.entries.length > 0 || rd.snapshot !== undefined || rd.hardState !== undefined;
    const leading = this.node.raft.state === 'leader';
    const save = () => this.o.storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot, sync: rd.mustSync, background: leading });
    let saved: Promise<void> | undefined;
    if (leading) {
      // A leader replicates while its own disk write runs (its entries count only once durable):
      // the sends below reach the sockets at once, the write queued here follows as soon as this
      // task yields (its datasync on the thread pool), and the followers' round trip overlaps it.
      // Empty appends only announce a new commit index: they wait (see deferAnnouncements), off
      // the path of the write that was just committed.
      if (mustSave) saved = save();
      const now: Message[] = [];
      later = [];
      for (const m of rd.messages) {
        if (!isSafeBeforePersist(m)) later.push(m);
        else if (m.type === 'MsgApp' && m.entries.length === 0) announcements.push(m);
        else now.push(m);
      }
      this.sendMessages(now);
    }
    // This Ready's messages are addressed now, before its entries apply: applying the removal of
    // a member drops it from the member list, yet the messages announcing that very commit must
    // still reach it, or it never learns it was removed (etcd and SwarmKit send before applying).
    const addressed = this.addresses(rd.messages);
    // Committed entries are already durable on a quorum, so a leader applies them (and answers
    // their writers) while its own disk write runs, as etcd's apply loop does. A follower applies
    // them after it has answered its leader: that answer is on the path of the write being
    // replicated, applying is not. A snapshot must be restored first: disk → restore → apply.
    const applyFirst = !rd.snapshot && leading;
    if (applyFirst) this.applyReady(rd);
    this.deferAnnouncements(announcements, addressed);
    if (mustSave) await (saved ?? save());
    if (rd.snapshot) {
      this.restoreSnapshotData(rd.snapshot.data);
      this.confState = rd.snapshot.metadata.confState;
      this.appliedIndex = rd.snapshot.metadata.index;
      this.snapshotIndex = rd.snapshot.metadata.index;
      this.applyReady(rd);
    }
    this.sendMessages(later, addressed);
    if (!rd.snapshot && !applyFirst) this.applyReady(rd);
    this.node.advance(rd);
    // SwarmKit: the only member of its cluster (a fresh `swarm init`, or a single manager coming
    // back) campaigns as soon as its configuration is known instead of waiting out an election timeout.
    if (this.campaignWhenAble && this.confState.voters.length >= 1) {
      this.campaignWhenAble = false;
      if (this.confState.voters.length === 1 && this.confState.voters[0] === this.raftId) this.node.campaign();
    }
    this.releaseReadWaiters();
    this.maybeSnapshot();
  }

  private applyReady(rd: Ready): void {
    // Some may be applied already (applyCommittedEarly).
    for (const e of rd.committedEntries) if (e.index > this.appliedIndex) this.applyEntry(e);
    for (const rs of rd.readStates) {
      const key = Buffer.from(rs.context).toString('hex');
      const r = this.reads.get(key);
      if (r) {
        this.reads.delete(key);
        r.resolve(rs.index);
      }
    }
  }

  /** The members the messages go to, as the member list has them now. */
  private addresses(messages: Message[]): Map<number, RaftMember> {
    const found = new Map<number, RaftMember>();
    for (const m of messages) {
      const member = this.members.get(m.to);
      if (member) found.set(m.to, member);
    }
    return found;
  }

  /**
   * An append that only announces a new commit index waits 2 ms (commitAnnounceDelayMs), and is dropped if
   * an append to that follower goes out meanwhile: that one carries the commit index too. Under a
   * stream of writes this halves the messages per write (and saves each follower a WAL write and
   * a reply); when writes stop, followers learn the last commit index 2 ms later.
   */
  private deferAnnouncements(messages: Message[], addressed: Map<number, RaftMember>): void {
    for (const m of messages) {
      const member = this.members.get(m.to) ?? addressed.get(m.to);
      if (member) this.announcements.set(m.to, { message: m, member });
    }
    if (this.announcements.size > 0) this.announceTimer ??= setTimeout(() => this.flushAnnouncements(), this.o.commitAnnounceDelayMs ?? 2);
  }

  private flushAnnouncements(): void {
    if (this.running) for (const { message, member } of this.announcements.values()) this.o.transport.send(member, [message]);
    this.cancelAnnouncements();
  }

  /** Drops the waiting announcements (those given, or all) and, once none waits, the timer. */
  private cancelAnnouncements(peer?: number): void {
    if (peer === undefined) this.announcements.clear();
    else this.announcements.delete(peer);
    if (this.announcements.size > 0) return;
    clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
  }

  /** Sends each peer its messages; `addressed` (from addresses()) serves peers no longer members. */
  private sendMessages(messages: Message[], addressed?: Map<number, RaftMember>): void {
    if (messages.length === 0) return;
    const byPeer = new Map<number, Message[]>();
    for (const m of messages) {
      const waiting = this.announcements.get(m.to);
      if (waiting && m.type === 'MsgApp' && m.commit >= waiting.message.commit) this.cancelAnnouncements(m.to);
      const list = byPeer.get(m.to);
      if (list) list.push(m);
      else byPeer.set(m.to, [m]);
    }
    for (const [to, msgs] of byPeer) {
      const member = this.members.get(to) ?? addressed?.get(to);
      if (!member) continue;
      this.o.transport.send(member, msgs);
    }
  }

  private onSoftState(isLeader: boolean, lead: number): void {
    if (!isLeader) {
      // Proposals from our leadership can no longer be promised.
      for (const [index, p] of this.pending) {
        p.reject(new RaftError('NotLeader', ERR_LOST_LEADERSHIP));
        this.pending.delete(index);
      }
    }
    this.emit('leadership', { isLeader, lead });
  }

  private applyEntry(e: Entry): void {
    let refusal: StoreConflictError | undefined;
    if (e.type === 'confChange') {
      const cc = decodeConfChange(e.data);
      const member = decodeMember(cc.context);
      for (const ch of cc.changes) {
        if (ch.type === 'addNode' && member && member.raftId === ch.nodeId) this.members.set(ch.nodeId, member);
        if (ch.type === 'removeNode') {
          this.members.delete(ch.nodeId);
          this.removed.add(ch.nodeId);
        }
      }
      this.confState = this.node.applyConfChange(cc);
      if (cc.changes.some((ch) => ch.type === 'addNode' || ch.type === 'addLearner')) this.memberAdded = true;
      this.emit('members', [...this.members.values()]);
      if (cc.changes.some((ch) => ch.type === 'removeNode' && ch.nodeId === this.raftId)) this.learnRemoved('applied its removal');
    } else if (e.data.length > 0) {
      let payload: Payload | undefined;
      try {
        payload = packr.unpack(e.data) as Payload;
      } catch {
        this.o.log?.('error', 'raft: undecodable entry', { index: e.index });
      }
      if (payload?.kind === 'tx') {
        try {
          refusal = this.o.store.apply(e.index, validTransaction(payload.tx));
        } catch (err) {
          // Every manager skips the same malformed entry; none crashes on it.
          this.o.log?.('error', 'raft: skipped a malformed store entry', { index: e.index, err: String(err) });
        }
      }
    }
    this.appliedIndex = e.index;
    const p = this.pending.get(e.index);
    if (p) {
      this.pending.delete(e.index);
      if (p.term === e.term) p.resolve(refusal);
      else p.reject(new RaftError('NotLeader', ERR_LOST_LEADERSHIP));
    }
  }

  private releaseReadWaiters(): void {
    for (let i = this.readWaiters.length - 1; i >= 0; i--) {
      if (this.readWaiters[i].index <= this.appliedIndex) {
        this.readWaiters[i].resolve();
        this.readWaiters.splice(i, 1);
      }
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const r of [...this.reads.values()]) r.reject(err);
    this.reads.clear();
  }

  // ---- snapshots -----------------------------------------------------------------------------

  /** The snapshot data at the applied index, packed a slice at a time (see takeSnapshot). */
  private async snapshotData(): Promise<Uint8Array> {
    const capture = this.o.store.capture();
    const members = packr.pack([...this.members.values()]);
    const removed = packr.pack([...this.removed]);
    const store: Uint8Array[] = [];
    let storeBytes = 0;
    for (const piece of capture.pieces()) {
      store.push(piece);
      storeBytes += piece.length;
      // Between slices the event loop answers clients and peers.
      await new Promise((r) => setImmediate(r));
    }
    // What packr.pack({ store, members, removed }) would give, concatenated once.
    return Buffer.concat([mapHeader(3), packr.pack('store'), binHeader(storeBytes), ...store, packr.pack('members'), members, packr.pack('removed'), removed]);
  }

  private restoreSnapshotData(data: Uint8Array): void {
    const s = packr.unpack(data) as { store: Uint8Array; members: RaftMember[]; removed: number[] };
    this.o.store.restore(s.store);
    this.members.clear();
    for (const m of s.members) this.members.set(m.raftId, m);
    for (const id of s.removed) this.removed.add(id);
  }

  setSnapshotInterval(entries: number): void {
    if (Number.isInteger(entries) && entries > 0) this.snapshotInterval = entries;
  }

  /**
   * Every `snapshotInterval` entries, and at once after a member joins once the log has been
   * compacted: a joiner far behind is sent the latest snapshot, and Raft refuses a snapshot whose
   * configuration does not hold the node receiving it — one taken before it joined would leave it
   * stuck forever.
   */
  private maybeSnapshot(): void {
    if (this.snapshotting) return;
    const joinerNeedsOne = this.memberAdded && this.snapshotIndex > 0 && this.snapshotIndex < this.appliedIndex;
    if (!joinerNeedsOne && this.appliedIndex - this.snapshotIndex < this.snapshotInterval) return;
    this.memberAdded = false;
    this.snapshotting = this.takeSnapshot().finally(() => (this.snapshotting = undefined));
  }

  /**
   * Runs beside the Ready loop, one at a time, as SwarmKit's and etcd's snapshots do: packing and
   * writing tens of megabytes took a manager off the write path for a quarter of a second, and
   * with every manager snapshotting at the same index, the leader could not commit meanwhile.
   * The store is captured now, at the applied index; the storage records it once it is durable.
   */
  private async takeSnapshot(): Promise<void> {
    const index = this.appliedIndex;
    const confState = this.confState;
    try {
      await this.o.storage.createSnapshot(index, confState, await this.snapshotData());
      this.snapshotIndex = Math.max(this.snapshotIndex, index);
    } catch (e) {
      // A snapshot from the leader overtook this one: nothing is lost.
      if (e instanceof RaftError && e.code === 'SnapOutOfDate') return;
      if (!this.running) return;
      this.o.log?.('error', 'raft: snapshot failed', { index, err: String(e) });
      this.emit('fatal', e);
    }
  }
}

// The Raft state machine: roles, elections, replication, membership, ReadIndex, transfers.
// A port of etcd-io/raft's raft.go to TypeScript. Pure: no timers, no I/O, no randomness of its
// own. Messages to send accumulate in `msgs`; RawNode hands them out in Ready batches.

import { resolveConfig, type Config, type ResolvedConfig } from './config.js';
import { Changer, restoreConfig, type ChangeResult } from './confchange.js';
import { encodeConfChange } from './confchange-codec.js';
import {
  ConfChangePendingError,
  NoLeaderError,
  NotLeaderError,
  ProposalTooLargeError,
  RaftError,
} from './errors.js';
import { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { jointVoteResult, type VoteResult } from './quorum.js';
import type { Random } from './rand.js';
import { ReadOnly } from './readonly.js';
import { ProgressTracker } from './tracker.js';
import {
  entrySize,
  message,
  NONE,
  voteRespType,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type MessageType,
  type NodeId,
  type ReadState,
  type Snapshot,
  type StateType,
} from './types.js';

type CampaignType = 'preElection' | 'election' | 'transfer';

/** Context of a MsgVote sent on a leadership transfer: voters grant it even inside a lease. */
const TRANSFER_CONTEXT = new TextEncoder().encode('CampaignTransfer');

function isTransfer(ctx: Uint8Array | undefined): boolean {
  if (!ctx || ctx.length !== TRANSFER_CONTEXT.length) return false;
  for (let i = 0; i < ctx.length; i++) if (ctx[i] !== TRANSFER_CONTEXT[i]) return false;
  return true;
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  state: StateType = 'follower';
  isLearner = false;
  readonly raftLog: RaftLog;
  readonly trk: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** Set while a leadership transfer is under way; proposals are refused meanwhile. */
  leadTransferee: NodeId = NONE;
  /** Index of the latest conf change the leader proposed; one may be pending at a time. */
  pendingConfIndex = 0;
  private uncommittedSize = 0;
  private readOnly = new ReadOnly();
  /** ReadIndex requests that arrived before the leader committed an entry of its term. */
  private pendingReadIndexMessages: Message[] = [];
  /** Chunks of a snapshot being received: its (index, term) and the bytes so far. */
  private snapshotAssembly: { index: number; term: number; parts: Uint8Array[]; received: number } | undefined;

  electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  readonly cfg: ResolvedConfig;
  private readonly random: Random;

  constructor(config: Config) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.random = this.cfg.random;
    this.raftLog = new RaftLog(this.cfg.storage, this.cfg.maxSizePerMsg * 16);
    this.trk = new ProgressTracker(this.cfg.maxInflightMsgs);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.switchToConfig(restoreConfig(confState, this.raftLog.lastIndex(), this.cfg.maxInflightMsgs));
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadState(hardState);
    if (this.cfg.applied > 0) this.raftLog.appliedTo(Math.min(this.cfg.applied, this.raftLog.committed));
    this.becomeFollower(this.term, NONE);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  private loadState(hs: HardState): void {
    if (hs.commit < this.raftLog.committed || hs.commit > this.raftLog.lastIndex()) {
      throw new Error(`raft: ${this.id} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`);
    }
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  // ---- sending -------------------------------------------------------------------------------

  private send(m: Message): void {
    m.from = this.id;
    if (m.type === 'MsgVote' || m.type === 'MsgVoteResp' || m.type === 'MsgPreVote' || m.type === 'MsgPreVoteResp') {
      if (m.term === 0) throw new Error(`raft: term should be set when sending ${m.type}`);
    } else if (m.type !== 'MsgReadIndex') {
      // Forwarded ReadIndex requests travel as local messages (term 0), as proposals do in etcd.
      m.term = this.term;
    }
    this.msgs.push(m);
  }

  /** Sends a MsgApp (or a snapshot) to `to` if its progress allows; returns whether it sent. */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.termOrUndefined(prevIndex);
    let ents: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        ents = this.raftLog.entries(pr.next, this.cfg.maxSizePerMsg);
      } catch (e) {
        if (!(e instanceof RaftError)) throw e;
      }
    }
    if (prevTerm === undefined || ents === undefined) return this.sendSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of ents) bytes += entrySize(e);
    this.send(message({ type: 'MsgApp', to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.raftLog.committed }));
    pr.sentEntries(ents.length, bytes);
    return true;
  }

  private sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /** The follower is behind the compacted log: send the snapshot, in chunks when large. */
  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    const snap = this.raftLog.snapshot();
    if (snap.metadata.index === 0) throw new Error('raft: need a non-empty snapshot');
    const total = snap.data.length;
    const chunk = this.cfg.snapshotChunkBytes;
    if (total <= chunk) {
      this.send(message({ type: 'MsgSnap', to, snapshot: snap }));
    } else {
      for (let offset = 0; offset < total; offset += chunk) {
        const part: Snapshot = { metadata: snap.metadata, data: snap.data.subarray(offset, Math.min(total, offset + chunk)) };
        this.send(message({ type: 'MsgSnap', to, snapshot: part, chunk: { offset, total } }));
      }
    }
    pr.becomeSnapshot(snap.metadata.index);
    return true;
  }

  private sendHeartbeat(to: NodeId, ctx: Uint8Array | undefined): void {
    const pr = this.trk.progress.get(to);
    // Never tell a follower to commit beyond what it is known to hold.
    const commit = Math.min(pr ? pr.match : 0, this.raftLog.committed);
    this.send(message({ type: 'MsgHeartbeat', to, commit, context: ctx }));
  }

  bcastAppend(): void {
    for (const id of this.trk.memberNodes()) if (id !== this.id) this.sendAppend(id);
  }

  private bcastHeartbeat(ctx = this.readOnly.lastPendingRequestCtx()): void {
    for (const id of this.trk.memberNodes()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  // ---- commit ----------------------------------------------------------------------------------

  /**
   * Advances the commit index to what a quorum has matched, but only for an entry of the
   * current term (Raft §5.4.2, Figure 8). Overridable so tests can build a broken core.
   */
  protected maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.trk.committed(), this.term);
  }

  // ---- role changes ----------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    // What is on our own disk: entries still unstable do not count toward a quorum yet.
    const durable = Math.min(last, this.raftLog.unstable.offset - 1);
    for (const [id, pr] of this.trk.progress) {
      const fresh = new Progress(last + 1, this.cfg.maxInflightMsgs, pr.isLearner);
      if (id === this.id) fresh.match = durable;
      this.trk.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.removingSelf = false;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.state = 'follower';
    this.pendingReadIndexMessages = [];
  }

  private becomeCandidate(): void {
    if (this.state === 'leader') throw new Error('raft: invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = 'candidate';
  }

  private becomePreCandidate(): void {
    if (this.state === 'leader') throw new Error('raft: invalid transition [leader -> pre-candidate]');
    // A pre-candidate changes neither its term nor its vote.
    this.trk.resetVotes();
    this.lead = NONE;
    this.state = 'preCandidate';
  }

  private becomeLeader(): void {
    if (this.state === 'follower') throw new Error('raft: invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.state = 'leader';
    const self = this.trk.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conservatively treat any entry after the commit point as a possible conf change.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // The no-op entry that lets the new leader commit entries of earlier terms.
    this.appendEntry([{ term: 0, index: 0, type: 'normal', data: new Uint8Array() }]);
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.random.intn(this.cfg.electionTick);
  }

  private pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  /** Whether this node may campaign: a voter of its own configuration, not mid-snapshot. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && this.raftLog.unstable.snapshot === undefined;
  }

  // ---- ticks -----------------------------------------------------------------------------------

  tick(): void {
    if (this.state === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(message({ type: 'MsgHup', from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(message({ type: 'MsgCheckQuorum', from: this.id }));
      // A transfer that did not finish within an election timeout is given up.
      if (this.state === 'leader' && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== 'leader') return;
    // A leader outside its own configuration keeps trying to hand over (the last try may have failed).
    if (!this.trk.isVoter(this.id) && this.leadTransferee === NONE) this.handOffLeadership();
    for (const [id, pr] of this.trk.progress) {
      // A snapshot (or one of its chunks) lost on the way: probe again, which resends it.
      if (id !== this.id && pr.state === 'snapshot' && ++pr.snapshotElapsed > this.cfg.electionTick) pr.becomeProbe();
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: 'MsgBeat', from: this.id }));
    }
  }

  // ---- elections -------------------------------------------------------------------------------

  private hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    const lo = Math.max(this.raftLog.applied + 1, this.raftLog.firstIndex());
    const ents = this.raftLog.slice(lo, this.raftLog.committed + 1, Number.MAX_SAFE_INTEGER);
    return ents.some((e) => e.type === 'confChange');
  }

  private hup(t: CampaignType): void {
    if (this.state === 'leader') return;
    if (!this.promotable()) return;
    // A node must apply a pending conf change before it may campaign under the old config.
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(t);
  }

  private campaign(t: CampaignType): void {
    if (!this.promotable()) return;
    let voteMsg: MessageType;
    let term: number;
    if (t === 'preElection') {
      this.becomePreCandidate();
      voteMsg = 'MsgPreVote';
      // Pre-votes ask for the term we would use, without bumping ours.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteMsg = 'MsgVote';
      term = this.term;
    }
    if (this.poll(this.id, voteRespType(voteMsg), true) === 'won') {
      // A single-voter configuration wins at once.
      if (t === 'preElection') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.trk.voterNodes()) {
      if (id === this.id) continue;
      this.send(
        message({
          type: voteMsg,
          to: id,
          term,
          index: this.raftLog.lastIndex(),
          logTerm: this.raftLog.lastTerm(),
          context: t === 'transfer' ? TRANSFER_CONTEXT : undefined,
        }),
      );
    }
  }

  private poll(id: NodeId, _t: MessageType, granted: boolean): VoteResult {
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes().result;
  }

  // ---- step ------------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term === 0) {
      // Local message.
    } else if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        const force = isTransfer(m.context);
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        // We heard from a live leader recently: ignore the (pre)vote, it would disrupt it.
        if (!force && inLease) return;
      }
      if (m.type === 'MsgPreVote') {
        // Never change our term in response to a pre-vote.
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // The term is bumped when a quorum grants the pre-vote.
      } else if (m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        // A stale leader (e.g. after a partition healed) learns of the newer term from this,
        // instead of waiting for a vote request that check-quorum/pre-vote would suppress.
        this.send(message({ type: 'MsgAppResp', to: m.from }));
      } else if (m.type === 'MsgPreVote') {
        this.send(message({ type: 'MsgPreVoteResp', to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.cfg.preVote ? 'preElection' : 'election');
        return;
      case 'MsgVote':
      case 'MsgPreVote': {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === 'MsgPreVote' && m.term > this.term);
        if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
          this.send(message({ type: voteRespType(m.type), to: m.from, term: m.term }));
          if (m.type === 'MsgVote') {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(message({ type: voteRespType(m.type), to: m.from, term: this.term, reject: true }));
        }
        return;
      }
      default:
        if (this.state === 'leader') this.stepLeader(m);
        else if (this.state === 'follower') this.stepFollower(m);
        else this.stepCandidate(m);
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'MsgBeat':
        this.bcastHeartbeat();
        return;
      case 'MsgCheckQuorum':
        // A leader that left the configuration keeps leading until it has handed over: stepping
        // down could strand voters that never learned the change committed (simulator seed 29726).
        if (!this.trk.quorumActive() && this.trk.isVoter(this.id)) this.becomeFollower(this.term, NONE);
        for (const [id, pr] of this.trk.progress) if (id !== this.id) pr.recentActive = false;
        return;
      case 'MsgReadIndex':
        // Until it commits an entry of its own term, a leader does not know the commit index
        // (a single voter included: it may have just taken over from a removed leader).
        if (!this.committedEntryInCurrentTerm()) {
          this.pendingReadIndexMessages.push(m);
          return;
        }
        this.sendReadIndexQuorumCheck(m);
        return;
      case 'MsgTransferLeader':
      case 'MsgAppResp':
      case 'MsgHeartbeatResp':
      case 'MsgSnapStatus':
      case 'MsgUnreachable':
        break;
      default:
        return;
    }

    const pr = this.trk.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'MsgAppResp':
        this.handleAppendResponse(m, pr);
        return;
      case 'MsgHeartbeatResp': {
        pr.recentActive = true;
        pr.msgAppFlowPaused = false;
        if (pr.match < this.raftLog.lastIndex() || pr.state === 'probe') this.sendAppend(m.from);
        if (!m.context || m.context.length === 0) return;
        const acks = this.readOnly.recvAck(m.from, m.context);
        if (!acks) return;
        const votes = new Map<NodeId, boolean>();
        for (const id of acks) votes.set(id, true);
        if (jointVoteResult(this.trk.config.voters, votes) !== 'won') return;
        for (const rs of this.readOnly.advance(m.context)) this.respondToReadIndex(rs.req, rs.index);
        return;
      }
      case 'MsgSnapStatus':
        if (pr.state !== 'snapshot') return;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // Wait for the next heartbeat response before probing again.
        pr.msgAppFlowPaused = true;
        return;
      case 'MsgUnreachable':
        if (pr.state === 'replicate') pr.becomeProbe();
        return;
      case 'MsgTransferLeader': {
        if (pr.isLearner) return;
        const transferee = m.from;
        if (this.leadTransferee !== NONE) {
          if (this.leadTransferee === transferee) return;
          this.abortLeaderTransfer();
        }
        if (transferee === this.id) return;
        this.electionElapsed = 0;
        this.leadTransferee = transferee;
        if (pr.match === this.raftLog.lastIndex()) this.sendTimeoutNow(transferee);
        else this.sendAppend(transferee);
        return;
      }
    }
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      let nextProbeIdx = m.rejectHint;
      if (m.logTerm > 0) nextProbeIdx = this.raftLog.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const oldPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot' && pr.match + 1 >= this.raftLog.firstIndex()) {
      // The follower installed the snapshot (or caught up otherwise): replicate from here.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else if (oldPaused) {
      this.sendAppend(m.from);
    }
    // Fill the in-flight window.
    while (this.maybeSendAppend(m.from, false)) {
      /* keep sending */
    }
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private stepCandidate(m: Message): void {
    const myVoteResp: MessageType = this.state === 'preCandidate' ? 'MsgPreVoteResp' : 'MsgVoteResp';
    switch (m.type) {
      case 'MsgApp':
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case 'MsgHeartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'MsgSnap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case 'MsgPreVoteResp':
      case 'MsgVoteResp': {
        if (m.type !== myVoteResp) return;
        const result = this.poll(m.from, m.type, !m.reject);
        if (result === 'won') {
          if (this.state === 'preCandidate') this.campaign('election');
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (result === 'lost') {
          // A MsgPreVoteResp with a higher term would have made us a follower already.
          this.becomeFollower(this.term, NONE);
        }
        return;
      }
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'MsgApp':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case 'MsgHeartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'MsgSnap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case 'MsgTransferLeader':
        if (this.lead === NONE) return;
        this.msgs.push({ ...m, to: this.lead, term: 0 });
        return;
      case 'MsgTimeoutNow':
        // Leadership transfers never use pre-vote: the old leader asked for this election.
        this.hup('transfer');
        return;
      case 'MsgReadIndex':
        if (this.lead === NONE) return;
        this.send({ ...m, to: this.lead });
        return;
      case 'MsgReadIndexResp':
        this.readStates.push({ index: m.index, context: m.context ?? new Uint8Array() });
        return;
      default:
        return;
    }
  }

  // ---- follower handlers -----------------------------------------------------------------------

  private handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(message({ type: 'MsgAppResp', to: m.from, index: this.raftLog.committed }));
      return;
    }
    const lastNew = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send(message({ type: 'MsgAppResp', to: m.from, index: lastNew }));
      return;
    }
    // Reject with a hint so the leader can skip a whole diverging term per round trip.
    const hintIndex = Math.min(m.index, this.raftLog.lastIndex());
    const hint = this.raftLog.findConflictByTerm(hintIndex, m.logTerm);
    this.send(
      message({ type: 'MsgAppResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    this.send(message({ type: 'MsgHeartbeatResp', to: m.from, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    const snap = this.assembleSnapshot(m);
    if (!snap) return;
    if (this.restore(snap)) {
      this.send(message({ type: 'MsgAppResp', to: m.from, index: this.raftLog.lastIndex() }));
    } else {
      this.send(message({ type: 'MsgAppResp', to: m.from, index: this.raftLog.committed }));
    }
  }

  /** Collects snapshot chunks in order; returns the whole snapshot once complete. */
  private assembleSnapshot(m: Message): Snapshot | undefined {
    const s = m.snapshot;
    if (!s) return undefined;
    if (!m.chunk) return s;
    const { index, term } = s.metadata;
    const { offset, total } = m.chunk;
    if (offset === 0) this.snapshotAssembly = { index, term, parts: [], received: 0 };
    const a = this.snapshotAssembly;
    if (!a || a.index !== index || a.term !== term || a.received !== offset) {
      // A gap or a chunk of another snapshot: drop it; the leader resends the whole snapshot.
      this.snapshotAssembly = undefined;
      return undefined;
    }
    a.parts.push(s.data);
    a.received += s.data.length;
    if (a.received < total) return undefined;
    this.snapshotAssembly = undefined;
    return { metadata: s.metadata, data: Buffer.concat(a.parts) };
  }

  /** Installs a snapshot from the leader; false when it is stale or only fast-forwards. */
  restore(s: Snapshot): boolean {
    const { index, term, confState } = s.metadata;
    if (index <= this.raftLog.committed) return false;
    if (this.state !== 'follower') {
      // Defence in depth: only followers install snapshots.
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    const inConfig = [...confState.voters, ...confState.learners, ...confState.votersOutgoing].includes(this.id);
    if (!inConfig) return false;
    if (this.raftLog.matchTerm(index, term)) {
      // We already hold this entry: just move the commit point.
      this.raftLog.commitTo(index);
      return false;
    }
    this.raftLog.restore(s);
    this.switchToConfig(restoreConfig(confState, this.raftLog.lastIndex(), this.cfg.maxInflightMsgs));
    return true;
  }

  // ---- ReadIndex ---------------------------------------------------------------------------------

  private committedEntryInCurrentTerm(): boolean {
    return this.raftLog.termOrUndefined(this.raftLog.committed) === this.term;
  }

  private sendReadIndexQuorumCheck(m: Message): void {
    // A single voter is its own quorum (a removed leader handing over is not that voter).
    if (this.trk.isSingleton() && this.trk.isVoter(this.id)) {
      this.respondToReadIndex(m, this.raftLog.committed);
      return;
    }
    this.readOnly.addRequest(this.raftLog.committed, m);
    // The leader acknowledges its own heartbeat.
    this.readOnly.recvAck(this.id, m.context);
    this.bcastHeartbeat(m.context);
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.sendReadIndexQuorumCheck(m);
  }

  private respondToReadIndex(req: Message, index: number): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, context: req.context ?? new Uint8Array() });
      return;
    }
    this.send(message({ type: 'MsgReadIndexResp', to: req.from, index, context: req.context }));
  }

  // ---- leadership transfer ---------------------------------------------------------------------

  private sendTimeoutNow(to: NodeId): void {
    this.send(message({ type: 'MsgTimeoutNow', to }));
  }

  /** Transfers leadership to the voter with the most of our log (a removed leader's last act). */
  private handOffLeadership(): void {
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.trk.voterNodes()) {
      if (id === this.id) continue;
      const pr = this.trk.progress.get(id);
      if (pr && pr.match > bestMatch) {
        best = id;
        bestMatch = pr.match;
      }
    }
    if (best !== NONE) this.step(message({ type: 'MsgTransferLeader', from: best, to: this.id }));
  }

  private abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- proposals -------------------------------------------------------------------------------

  private checkCanPropose(size: number): void {
    if (this.state !== 'leader') {
      if (this.lead === NONE) throw new NoLeaderError();
      throw new NotLeaderError(this.lead);
    }
    if (size > this.cfg.maxProposalBytes) throw new ProposalTooLargeError(size, this.cfg.maxProposalBytes);
    if (!this.trk.isVoter(this.id)) {
      throw new RaftError('ProposalDropped', 'raft: proposal dropped: this node was removed from the configuration');
    }
    if (this.leadTransferee !== NONE) {
      throw new RaftError('ProposalDropped', 'raft: proposal dropped: leadership transfer in progress');
    }
    // After proposing its own removal or demotion, a leader's log must not run past that change:
    // the voters that remain may have to elect one of themselves without knowing it committed,
    // and our longer log would make us refuse them our vote (found by the simulator, seed 3315).
    if (this.removingSelf) {
      throw new RaftError('ProposalDropped', 'raft: proposal dropped: this leader is leaving the configuration');
    }
  }

  /** Set while a conf change that removes or demotes this leader is pending. */
  private removingSelf = false;

  private appendEntry(es: Entry[]): boolean {
    let li = this.raftLog.lastIndex();
    for (let i = 0; i < es.length; i++) {
      es[i].term = this.term;
      es[i].index = li + 1 + i;
    }
    if (!this.increaseUncommittedSize(es)) return false;
    this.raftLog.append(es);
    // The leader's own entries count toward the quorum only once durable (see persisted()):
    // this lets the application send MsgApp to followers while its own disk write is running,
    // as the Raft thesis (§10.2.1) allows.
    return true;
  }

  private increaseUncommittedSize(es: Entry[]): boolean {
    let s = 0;
    for (const e of es) s += e.data.length;
    const limit = this.cfg.maxUncommittedEntriesSize;
    if (limit > 0 && this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > limit) return false;
    this.uncommittedSize += s;
    return true;
  }

  reduceUncommittedSize(ents: Entry[]): void {
    let s = 0;
    for (const e of ents) s += e.data.length;
    this.uncommittedSize = Math.max(0, this.uncommittedSize - s);
  }

  propose(data: Uint8Array): { index: number; term: number } {
    this.checkCanPropose(data.length);
    const e: Entry = { term: 0, index: 0, type: 'normal', data };
    if (!this.appendEntry([e])) {
      throw new RaftError('ProposalDropped', 'raft: proposal dropped: too many uncommitted entries');
    }
    this.bcastAppend();
    return { index: e.index, term: e.term };
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    const data = encodeConfChange(cc);
    if (this.state === 'leader' && this.pendingConfIndex > this.raftLog.applied) throw new ConfChangePendingError();
    this.checkCanPropose(data.length);
    const joint = this.trk.isJoint();
    if (joint && cc.changes.length > 0) {
      throw new RaftError('InvalidConfChange', 'raft: must transition out of joint config first');
    }
    if (!joint && cc.changes.length === 0) {
      throw new RaftError('InvalidConfChange', 'raft: not in joint state; refusing empty conf change');
    }
    // Dry run on copies, so an invalid change is refused here rather than applied as a no-op.
    const copies = new Map<NodeId, Progress>();
    for (const [id, pr] of this.trk.progress) copies.set(id, new Progress(pr.next, 1, pr.isLearner));
    const after = new Changer(this.trk.config, copies, this.raftLog.lastIndex(), 1).apply(cc);

    const e: Entry = { term: 0, index: 0, type: 'confChange', data };
    if (!this.appendEntry([e])) {
      throw new RaftError('ProposalDropped', 'raft: proposal dropped: too many uncommitted entries');
    }
    this.pendingConfIndex = e.index;
    // Leaving for good: we are no voter of the configuration this change results in (a joint
    // configuration still counts us while we are in its outgoing half).
    this.removingSelf = !after.config.voters[0].has(this.id) && !after.config.voters[1].has(this.id);
    this.bcastAppend();
    return { index: e.index, term: e.term };
  }

  readIndex(context: Uint8Array): void {
    const m = message({ type: 'MsgReadIndex', from: this.id, context });
    if (this.state === 'leader') {
      this.stepLeader(m);
      return;
    }
    if (this.lead === NONE) throw new NoLeaderError();
    this.send({ ...m, to: this.lead });
  }

  transferLeadership(to: NodeId): void {
    this.step(message({ type: 'MsgTransferLeader', from: to, to: this.id }));
  }

  // ---- applying --------------------------------------------------------------------------------

  /** Applies a committed conf change; an invalid one is a no-op on every node alike. */
  applyConfChange(cc: ConfChange): ConfState {
    let result: ChangeResult;
    try {
      result = new Changer(this.trk.config, this.trk.progress, this.raftLog.lastIndex(), this.cfg.maxInflightMsgs).apply(cc);
    } catch (e) {
      if (e instanceof RaftError) return this.trk.confState();
      throw e;
    }
    return this.switchToConfig(result);
  }

  private switchToConfig(result: ChangeResult): ConfState {
    this.trk.config = result.config;
    this.trk.progress = result.progress;
    const cs = this.trk.confState();
    const pr = this.trk.progress.get(this.id);
    this.isLearner = pr !== undefined && pr.isLearner;
    if ((!pr || this.isLearner) && this.state === 'leader') {
      // Removed or demoted. Stepping down at once could leave the remaining voters unable to
      // learn that this very change committed (they may lack the commit index while our log is
      // longer than theirs, so we would refuse them our vote): hand leadership to the most
      // up-to-date voter instead, which brings it fully up to date first.
      this.handOffLeadership();
      return cs;
    }
    if (this.state !== 'leader' || cs.voters.length === 0) return cs;
    // The quorum may have changed: commit what the new quorum holds, and reach new members.
    if (this.maybeCommit()) this.bcastAppend();
    else for (const id of this.trk.memberNodes()) if (id !== this.id) this.maybeSendAppend(id, false);
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }

  /** The application made our log durable up to `index` (of `term`): the leader's own vote. */
  persisted(index: number, term: number): void {
    if (this.state !== 'leader' || this.raftLog.termOrUndefined(index) !== term) return;
    const self = this.trk.progress.get(this.id);
    if (!self || !self.maybeUpdate(index)) return;
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    }
  }

  /** Called once entries up to `index` were applied; the leader leaves an auto joint config. */
  appliedTo(index: number, entries: Entry[]): void {
    const old = this.raftLog.applied;
    this.raftLog.appliedTo(Math.max(old, index));
    if (this.state === 'leader') this.reduceUncommittedSize(entries);
    if (
      this.state === 'leader' &&
      this.trk.config.autoLeave &&
      this.raftLog.applied >= this.pendingConfIndex
    ) {
      const e: Entry = { term: 0, index: 0, type: 'confChange', data: encodeConfChange({ changes: [] }) };
      if (this.appendEntry([e])) {
        this.pendingConfIndex = e.index;
        // Leaving the joint configuration drops its outgoing half: maybe us.
        this.removingSelf = !this.trk.config.voters[0].has(this.id);
        this.bcastAppend();
      }
    }
  }
}

// The application's handle on a Raft core: inputs go in as method calls, outputs come out as
// Ready batches that the application persists, sends and applies, then acknowledges (advance).

import type { Config } from './config.js';
import { RaftError } from './errors.js';
import { Raft } from './raft.js';
import {
  isLocalMessage,
  isResponseMessage,
  type ConfChange,
  type ConfState,
  type HardState,
  type Message,
  type NodeId,
  type Ready,
  type SoftState,
  type StateType,
} from './types.js';

export interface Status {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lead: NodeId;
  state: StateType;
  config: ConfState;
  /** The leader's view of each member's replication. */
  progress?: Record<number, { match: number; next: number; state: string }>;
}

export class RawNode {
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(config: Config);
  constructor(raft: Raft);
  constructor(arg: Config | Raft) {
    this.raft = arg instanceof Raft ? arg : new Raft(arg);
    this.prevSoft = this.softState();
    this.prevHard = this.raft.hardState();
  }

  readonly raft: Raft;

  /** Wraps a core built by the caller (a subclass in tests of the simulator itself). */
  static fromRaft(raft: Raft): RawNode {
    return new RawNode(raft);
  }

  get id(): NodeId {
    return this.raft.id;
  }

  tick(): void {
    this.raft.tick();
  }

  campaign(): void {
    this.raft.step({ type: 'MsgHup', from: this.raft.id, to: 0, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
  }

  /** A message from a peer. Local message types are refused; responses from strangers ignored. */
  step(m: Message): void {
    if (isLocalMessage(m.type)) throw new RaftError('StepLocalMessage', `raft: cannot step raft local message ${m.type}`);
    if (isResponseMessage(m.type) && !this.raft.trk.progress.has(m.from)) return;
    this.raft.step(m);
  }

  propose(data: Uint8Array): { index: number; term: number } {
    return this.raft.propose(data);
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    return this.raft.proposeConfChange(cc);
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  readIndex(context: Uint8Array): void {
    this.raft.readIndex(context);
  }

  transferLeadership(to: NodeId): void {
    this.raft.transferLeadership(to);
  }

  reportUnreachable(id: NodeId): void {
    this.raft.step({ type: 'MsgUnreachable', from: id, to: this.raft.id, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step({ type: 'MsgSnapStatus', from: id, to: this.raft.id, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: !ok, rejectHint: 0 });
  }

  private softState(): SoftState {
    return { lead: this.raft.lead, state: this.raft.state };
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = this.softState();
    if (soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state) return true;
    const hs = r.hardState();
    if (hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote || hs.commit !== this.prevHard.commit) return true;
    if (r.raftLog.unstable.snapshot) return true;
    if (r.msgs.length > 0 || r.raftLog.unstableEntries().length > 0 || r.raftLog.hasNextCommittedEnts()) return true;
    return r.readStates.length > 0;
  }

  /** The next batch of work. Everything in it is handed out once; call advance() after. */
  ready(): Ready {
    const r = this.raft;
    const rd: Ready = {
      entries: r.raftLog.unstableEntries(),
      committedEntries: r.raftLog.nextCommittedEnts(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    const soft = this.softState();
    if (soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    const hs = r.hardState();
    if (hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote || hs.commit !== this.prevHard.commit) {
      rd.hardState = hs;
      rd.mustSync = hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote;
    }
    if (r.raftLog.unstable.snapshot) rd.snapshot = r.raftLog.unstable.snapshot;
    if (rd.entries.length > 0) rd.mustSync = true;
    r.msgs = [];
    r.readStates = [];
    return rd;
  }

  /** The application persisted, sent and applied what `rd` held. */
  advance(rd: Ready): void {
    const r = this.raft;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      r.raftLog.stableTo(last.index, last.term);
      r.persisted(last.index, last.term);
    }
    if (rd.snapshot) {
      r.raftLog.stableSnapTo(rd.snapshot.metadata.index);
      r.appliedTo(rd.snapshot.metadata.index, []);
    }
    if (rd.committedEntries.length > 0) {
      r.appliedTo(rd.committedEntries[rd.committedEntries.length - 1].index, rd.committedEntries);
    }
  }

  status(): Status {
    const r = this.raft;
    const s: Status = {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.raftLog.committed,
      applied: r.raftLog.applied,
      lead: r.lead,
      state: r.state,
      config: r.trk.confState(),
    };
    if (r.state === 'leader') {
      s.progress = {};
      for (const [id, pr] of r.trk.progress) s.progress[id] = { match: pr.match, next: pr.next, state: pr.state };
    }
    return s;
  }
}

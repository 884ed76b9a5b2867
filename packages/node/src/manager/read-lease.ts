// A leader read lease: after a ReadIndex round confirms this leader with a quorum, reads are
// answered from the local store, without a round of their own, for a while shorter than any
// other manager could take to be elected. Reads stay linearizable: a follower that answered the
// round refuses every (pre-)vote until a full election timeout of its own ticks has passed
// (Raft's check-quorum lease, raft.ts `inLease`), and any election needs one of them.
//
// The lease is measured on this process's monotonic clock (performance.now()), never on the
// emulated clock or Raft ticks: a SIGSTOP pause can only shorten it, a clock bump does not move
// it (followers' ticks are real-time timers too, which never fire early). It is half the election
// timeout, which leaves room for tick jitter and for a follower that restarts (and so forgets
// it heard from us) — a restart takes longer than that.
//
// It is not used when that reasoning does not hold:
// - a leadership transfer is (or was, this term) under way: the transferee's vote request is
//   granted inside the followers' lease (raft.ts `isTransfer`), and a delayed MsgTimeoutNow can
//   start that election after the transfer was given up;
// - the Raft configuration changed since the confirming round (its quorum may not include the
//   followers that answered), or this leader is no longer a voter in it;
// - this store has not applied everything committed (a writer may already have been answered).

import { NONE, type NodeId } from '@swarmlab/raft';

/** What the lease reads of the Raft shell (RaftNode satisfies it). */
export interface LeaseRaft {
  readonly node: {
    readonly raft: {
      readonly id: NodeId;
      readonly state: string;
      readonly term: number;
      readonly leadTransferee: NodeId;
      readonly raftLog: { readonly committed: number; readonly applied: number };
      readonly trk: { readonly config: object; isVoter(id: NodeId): boolean };
    };
  };
  /** A ReadIndex round: resolves once this store reflects every write committed before the call. */
  linearizableRead(timeoutMs?: number): Promise<void>;
}

export class LeaderReadLease {
  /** The lease ends at this performance.now() time (-Infinity: no lease). */
  private validUntil = Number.NEGATIVE_INFINITY;
  private term = -1;
  private config: object | undefined;
  /** A transfer was seen in this term: no lease until the term changes. */
  private transferSeenInTerm = -1;
  private renewing = false;

  constructor(
    private readonly raft: LeaseRaft,
    readonly durationMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(durationMs > 0)) throw new Error(`a read lease needs a positive duration, got ${durationMs}`);
  }

  /**
   * Whether a read may be answered from this manager's store now, with no round. While it holds
   * and half of it is gone, a round renews it in the background, so steady reads never wait.
   */
  holds(): boolean {
    const r = this.raft.node.raft;
    if (r.leadTransferee !== NONE) this.transferSeenInTerm = r.term;
    const remaining = this.validUntil - this.now();
    const holds =
      remaining > 0 &&
      r.state === 'leader' &&
      r.term === this.term &&
      this.transferSeenInTerm !== r.term &&
      r.trk.config === this.config &&
      r.trk.isVoter(r.id) &&
      r.raftLog.applied >= r.raftLog.committed;
    if (holds && remaining < this.durationMs / 2 && !this.renewing) {
      this.renewing = true;
      this.confirm().then(
        () => (this.renewing = false),
        () => (this.renewing = false),
      );
    }
    return holds;
  }

  /**
   * Runs a ReadIndex round (rejecting as linearizableRead does). When it confirms this leader,
   * the lease runs from the moment the round was asked for: its heartbeats left after that.
   */
  async confirm(timeoutMs?: number): Promise<void> {
    const r = this.raft.node.raft;
    const askedAt = this.now();
    const term = r.term;
    const config = r.trk.config;
    const transferring = r.leadTransferee !== NONE;
    if (transferring) this.transferSeenInTerm = term;
    await this.raft.linearizableRead(timeoutMs);
    if (transferring || r.leadTransferee !== NONE || r.state !== 'leader' || r.term !== term || r.trk.config !== config) return;
    if (this.term !== term || this.config !== config) this.validUntil = Number.NEGATIVE_INFINITY;
    this.term = term;
    this.config = config;
    this.validUntil = Math.max(this.validUntil, askedAt + this.durationMs);
  }
}

/** Half the profile's election timeout, in real milliseconds: the shortest any follower uses (a big swarm only stretches it, raft/tick.ts). */
export function leaderLeaseMs(profile: { raftTickMs: number; electionTick: number }, clock: { toReal(emulatedMs: number): number }): number {
  return clock.toReal(profile.raftTickMs * profile.electionTick) / 2;
}

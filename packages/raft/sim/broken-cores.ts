// Deliberately broken Raft cores, to prove that the simulator's seeds catch real safety bugs.

import type { Config } from '../src/config.js';
import { Raft } from '../src/raft.js';
import { NONE, type HardState } from '../src/types.js';
import type { CoreFactory } from './sim-node.js';

/**
 * Commits whatever index a quorum has replicated, whatever its term: the bug of Figure 8 in the
 * Raft paper. An entry of an earlier term counted as committed can still be overwritten by a
 * leader that never had it.
 */
class Figure8Raft extends Raft {
  protected override maybeCommit(): boolean {
    const quorumIndex = this.trk.committed();
    if (quorumIndex <= this.raftLog.committed) return false;
    this.raftLog.commitTo(quorumIndex);
    return true;
  }
}

/** Grants (pre-)votes without checking that the candidate's log is at least as up-to-date. */
class VoteWithoutLogCheckRaft extends Raft {
  constructor(config: Config) {
    super(config);
    this.raftLog.isUpToDate = () => true;
  }
}

/** Never reports its vote as part of the hard state, so a restart forgets whom it voted for. */
class ForgetVoteRaft extends Raft {
  override hardState(): HardState {
    return { ...super.hardState(), vote: NONE };
  }
}

export const brokenCores = {
  figure8: (config: Config) => new Figure8Raft(config),
  'vote-without-log-check': (config: Config) => new VoteWithoutLogCheckRaft(config),
  'forget-vote': (config: Config) => new ForgetVoteRaft(config),
} satisfies Record<string, CoreFactory>;

export type BrokenCoreName = keyof typeof brokenCores;

// Everything a simulation run does is drawn from its seed here, up front. Each fault kind is
// switched on or off per seed ("swarm testing"): runs that leave some faults out reach states that
// a run doing everything at once rarely does.

import { SeededRandom } from '../src/rand.js';

/** Virtual time units per raft tick; message delays and clock drift are finer than a tick. */
export const TICK = 100;

export interface RaftParams {
  electionTick: number;
  heartbeatTick: number;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  snapshotChunkBytes: number;
  checkQuorum: boolean;
  preVote: boolean;
}

export interface NetworkParams {
  /** Delivery delay in time units, uniform in [minDelay, maxDelay]. */
  minDelay: number;
  maxDelay: number;
  dropRate: number;
  duplicateRate: number;
  /** Probability that a message is held back by up to `reorderDelay` extra units. */
  reorderRate: number;
  reorderDelay: number;
}

/** Mean ticks between two faults of a kind; 0 turns the kind off. */
export interface FaultParams {
  partitionEvery: number;
  /** How long a partition lasts, in ticks, uniform in [1, healAfter]. */
  healAfter: number;
  crashEvery: number;
  /** How long a crashed node stays down, in ticks, uniform in [1, restartAfter]. */
  restartAfter: number;
  /** Probability of a crash right after a vote, an election win or a leader's commit. */
  momentCrash: number;
  membershipEvery: number;
  transferEvery: number;
  /** Ticks a node's clock may run fast or slow, as a fraction of a tick. */
  clockDrift: number;
}

export interface WorkloadParams {
  /** Mean client proposals per tick. */
  proposalsPerTick: number;
  readsPerTick: number;
  /** Clients stop proposing while this many of their writes are still undecided. */
  maxOutstandingWrites: number;
  /** Client payloads carry up to this many padding bytes besides their 4-byte id. */
  maxPayloadPadding: number;
  /** Snapshot after this many applied entries since the last one; 0 turns compaction off. */
  snapshotEvery: number;
  /** Entries kept in the log below a new snapshot. */
  compactionKeep: number;
  snapshotPadding: number;
}

/**
 * 'mixed': every kind of fault, each on or off. 'churn': small clusters whose leaders keep
 * failing at the worst moments, one entry per message: where commit-rule bugs (Raft's Figure 8)
 * and election bugs show.
 */
export type SimProfile = 'mixed' | 'churn';

export interface SimParams {
  seed: number;
  profile: SimProfile;
  clusterSize: number;
  /** Nodes added by membership changes get ids after the founders', up to this many ids in all. */
  maxNodeIds: number;
  maxVoters: number;
  raft: RaftParams;
  network: NetworkParams;
  faults: FaultParams;
  workload: WorkloadParams;
  /** Time units each node takes to persist and apply a Ready; 0: synchronously. */
  readyDelay: number;
  /** Ticks of the fault phase; then everything heals and liveness is checked. */
  faultTicks: number;
  /** Ticks after the faults stop within which a leader must commit a new proposal. */
  livenessTicks: number;
}

const CLUSTER_SIZES = [1, 2, 3, 3, 3, 4, 5, 5, 5, 6, 7, 7];

export function drawParams(seed: number): SimParams {
  // A generator of its own, so adding a parameter never shifts the run's random stream.
  const r = new SeededRandom(seed ^ 0x5eed5eed);
  const on = (p: number) => r.chance(p);
  const between = (lo: number, hi: number) => lo + r.intn(hi - lo + 1);

  const electionTick = between(5, 14);
  const raft: RaftParams = {
    electionTick,
    heartbeatTick: electionTick >= 9 && on(0.3) ? 2 : 1,
    maxSizePerMsg: r.pick([1, 64, 256, 4096, 65535]),
    maxInflightMsgs: r.pick([1, 2, 4, 16, 256]),
    snapshotChunkBytes: r.pick([16, 64, 256, 4 * 1024 * 1024]),
    checkQuorum: on(0.85),
    preVote: on(0.85),
  };

  const minDelay = between(1, 30);
  const network: NetworkParams = {
    minDelay,
    maxDelay: minDelay + between(0, on(0.2) ? 2 * TICK : TICK / 2),
    dropRate: on(0.5) ? r.float() * 0.2 : 0,
    duplicateRate: on(0.5) ? r.float() * 0.1 : 0,
    reorderRate: on(0.5) ? r.float() * 0.3 : 0,
    reorderDelay: between(TICK / 2, 3 * TICK),
  };

  const every = (p: number) => (on(p) ? between(15, 100) : 0);
  const faults: FaultParams = {
    partitionEvery: every(0.6),
    healAfter: between(3, 60),
    crashEvery: every(0.6),
    restartAfter: between(1, 50),
    momentCrash: on(0.4) ? r.pick([0.02, 0.1, 0.3]) : 0,
    membershipEvery: every(0.45),
    transferEvery: every(0.3),
    clockDrift: on(0.5) ? r.float() * 0.1 : 0,
  };

  const workload: WorkloadParams = {
    proposalsPerTick: 0.1 + r.float() * (on(0.3) ? 4 : 1),
    readsPerTick: on(0.6) ? r.float() * 0.8 : 0,
    maxOutstandingWrites: r.pick([1, 8, 32]),
    maxPayloadPadding: r.pick([0, 16, 200, 1000]),
    snapshotEvery: on(0.6) ? between(3, 40) : 0,
    compactionKeep: r.pick([0, 0, 1, 5, 20]),
    snapshotPadding: r.pick([0, 50, 600]),
  };

  const params: SimParams = {
    seed,
    profile: on(0.25) ? 'churn' : 'mixed',
    clusterSize: r.pick(CLUSTER_SIZES),
    maxNodeIds: 10,
    maxVoters: 7,
    raft,
    network,
    faults,
    workload,
    readyDelay: on(0.5) ? between(1, TICK / 2) : 0,
    faultTicks: between(60, 300),
    livenessTicks: 60 * electionTick,
  };
  if (params.profile === 'churn') {
    params.clusterSize = r.pick([3, 3, 3, 5]);
    raft.electionTick = between(5, 8);
    raft.heartbeatTick = 1;
    raft.preVote = on(0.5);
    raft.maxSizePerMsg = 1;
    params.livenessTicks = 60 * raft.electionTick;
    network.dropRate = 0.05 + r.float() * 0.15;
    Object.assign(faults, {
      partitionEvery: between(5, 20),
      healAfter: between(3, 15),
      crashEvery: between(5, 15),
      restartAfter: between(1, 10),
      momentCrash: r.pick([0.1, 0.3]),
      membershipEvery: 0,
    });
    workload.proposalsPerTick = 1 + r.float() * 2;
    workload.maxOutstandingWrites = 32;
  }
  return params;
}

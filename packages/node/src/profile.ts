// Timing profiles. `docker` is SwarmKit's constants (swarm-facts §1.1, §4.1); `fast` keeps the
// same ratios on a much shorter tick so a lost leader is replaced in well under a second (gossip
// aside: both use memberlist's LAN timing).

export type ProfileName = 'fast' | 'docker';

export interface TimingProfile {
  name: ProfileName;
  /** Raft tick, emulated ms. */
  raftTickMs: number;
  electionTick: number;
  heartbeatTick: number;
  /** Dispatcher heartbeat period and its ± jitter, emulated ms. */
  dispatcherHeartbeatMs: number;
  dispatcherJitterMs: number;
  /**
   * Heartbeats a second the leader's dispatcher takes at most (real time; 0 = no bound, as
   * SwarmKit): in a bigger swarm it hands out a longer period instead.
   */
  dispatcherHeartbeatsPerSecond: number;
  /** Missed periods before a node is Down. */
  gracePeriodMultiplier: number;
  /** Periods a node in Unknown (after a leader change) has to re-register. */
  unknownGraceMultiplier: number;
  /** Ticks without a leader after which control calls fail at once (lostQuorumTimeout). */
  lostQuorumTicks: number;
  /** Timeout for a request forwarded to the leader, emulated ms. */
  requestTimeoutMs: number;
  /** Gossip key rotation period, emulated ms (12 h in both: it follows the time scale). */
  keyRotationMs: number;
  /** Gossip probe interval/timeout, emulated ms. */
  gossipProbeMs: number;
  gossipProbeTimeoutMs: number;
  gossipIntervalMs: number;
}

const HOUR = 3600_000;

export const PROFILES: Record<ProfileName, TimingProfile> = {
  docker: {
    name: 'docker',
    raftTickMs: 1000,
    electionTick: 10,
    heartbeatTick: 1,
    dispatcherHeartbeatMs: 5000,
    dispatcherJitterMs: 500,
    dispatcherHeartbeatsPerSecond: 0,
    gracePeriodMultiplier: 3,
    unknownGraceMultiplier: 6,
    lostQuorumTicks: 10,
    requestTimeoutMs: 20_000,
    keyRotationMs: 12 * HOUR,
    gossipProbeMs: 1000,
    gossipProbeTimeoutMs: 500,
    gossipIntervalMs: 200,
  },
  fast: {
    name: 'fast',
    raftTickMs: 10,
    electionTick: 10,
    heartbeatTick: 1,
    dispatcherHeartbeatMs: 250,
    dispatcherJitterMs: 25,
    // Up to 50 nodes beat every 250 ms; 100 every 500 ms, 200 every second. At 4 beats a second,
    // 200 nodes on two cores kept missing their 750 ms deadline and re-registering, and never all
    // stayed Ready (see manager/dispatcher/period.ts).
    dispatcherHeartbeatsPerSecond: 200,
    gracePeriodMultiplier: 3,
    unknownGraceMultiplier: 6,
    lostQuorumTicks: 10,
    requestTimeoutMs: 5_000,
    keyRotationMs: 12 * HOUR,
    // Gossip is not Swarm's failure detector (the dispatcher's heartbeats are), so it keeps
    // memberlist's LAN timing: probing 5× faster cost every idle node ~0.5 % of a core, which a
    // hundred nodes on two cores cannot afford.
    gossipProbeMs: 1000,
    gossipProbeTimeoutMs: 500,
    gossipIntervalMs: 200,
  },
};

export function profileByName(name: string): TimingProfile {
  if (name !== 'fast' && name !== 'docker') throw new Error(`unknown timing profile "${name}" (use fast or docker)`);
  return PROFILES[name];
}

/**
 * The profile's ratio to SwarmKit's timings (1 for `docker`, 1/20 for `fast`). The durations a
 * service or task spec names — stop grace periods, health checks, restart delays, update delays
 * and monitors — are multiplied by it, so that a task restarts as much sooner as a lost node is
 * noticed sooner.
 */
export function specTimingScale(profile: TimingProfile): number {
  return profile.dispatcherHeartbeatMs / PROFILES.docker.dispatcherHeartbeatMs;
}

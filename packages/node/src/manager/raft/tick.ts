// The managers' Raft tick (SwarmKit: TickInterval, 1 s), stretched in a big swarm.

import type { TimingProfile } from '../../profile.js';
import { heartbeatPeriodMs } from '../dispatcher/period.js';

/**
 * The Raft tick for a swarm of `nodes` nodes, emulated ms. It grows as the dispatcher's heartbeat
 * period does (period.ts), so Raft's heartbeat, election and quorum timeouts keep their ratio to
 * it: in the fast profile 10 ms up to 50 nodes, 20 ms at 100, 40 ms at 200 (elections after
 * 400–800 ms). With 200 processes on two cores a leader is now and then starved for longer than
 * 100–200 ms; its followers then elected another, and every session had to register again.
 * Never shorter than the profile's tick: the leader's read lease (read-lease.ts) counts on that.
 */
export function raftTickMs(profile: TimingProfile, nodes: number, timeScale: number): number {
  const stretch = heartbeatPeriodMs(undefined, profile, nodes, timeScale) / profile.dispatcherHeartbeatMs;
  return profile.raftTickMs * Math.max(1, stretch);
}

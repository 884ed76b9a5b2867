// The heartbeat period the dispatcher hands out, before its jitter (SwarmKit: dispatcher/period.go).

import type { TimingProfile } from '../../profile.js';

/**
 * The cluster spec's period (5 s when unset) in the profile's scale, stretched when the sessions'
 * heartbeats would exceed the profile's rate: that bound is in real time, because the CPU a
 * heartbeat costs does not shrink with the profile's tick or the time scale. Emulated ms.
 */
export function heartbeatPeriodMs(specNs: number | undefined, profile: TimingProfile, sessions: number, timeScale: number): number {
  const base = profile.dispatcherHeartbeatMs;
  const period = specNs ? (specNs / 1e6) * (base / 5000) : base;
  const rate = profile.dispatcherHeartbeatsPerSecond;
  return rate > 0 ? Math.max(period, (sessions / rate) * 1000 * timeScale) : period;
}

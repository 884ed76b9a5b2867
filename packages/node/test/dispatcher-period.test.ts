// The heartbeat period the dispatcher hands out: the cluster spec's, in the profile's scale, and in
// the fast profile no shorter than the sessions' heartbeats allow at its rate.

import { describe, expect, it } from 'vitest';
import { heartbeatPeriodMs } from '../src/manager/dispatcher/period.js';
import { PROFILES } from '../src/profile.js';

const SECOND_NS = 1e9;

describe('heartbeatPeriodMs', () => {
  it('is SwarmKit’s in the docker profile, whatever the swarm’s size', () => {
    expect(heartbeatPeriodMs(undefined, PROFILES.docker, 3, 1)).toBe(5000);
    expect(heartbeatPeriodMs(10 * SECOND_NS, PROFILES.docker, 3, 1)).toBe(10_000);
    expect(heartbeatPeriodMs(undefined, PROFILES.docker, 5000, 1)).toBe(5000);
  });

  it('keeps the fast profile’s period up to 50 sessions, then stretches it to 200 heartbeats a second', () => {
    expect(heartbeatPeriodMs(undefined, PROFILES.fast, 10, 1)).toBe(250);
    expect(heartbeatPeriodMs(undefined, PROFILES.fast, 50, 1)).toBe(250);
    expect(heartbeatPeriodMs(undefined, PROFILES.fast, 100, 1)).toBe(500);
    expect(heartbeatPeriodMs(undefined, PROFILES.fast, 200, 1)).toBe(1000);
  });

  it('scales the spec’s period to the profile and takes the longer of the two', () => {
    // `--dispatcher-heartbeat 20s` in the fast profile: 20 s × 250/5000.
    expect(heartbeatPeriodMs(20 * SECOND_NS, PROFILES.fast, 10, 1)).toBe(1000);
    expect(heartbeatPeriodMs(20 * SECOND_NS, PROFILES.fast, 400, 1)).toBe(2000);
  });

  it('bounds the rate in real time: emulated periods grow with the time scale', () => {
    expect(heartbeatPeriodMs(undefined, PROFILES.fast, 200, 2)).toBe(2000);
    expect(heartbeatPeriodMs(undefined, PROFILES.fast, 200, 0.5)).toBe(500);
  });
});

// The leader read lease: when a read may skip its ReadIndex round, and when it must not.

import { describe, expect, it } from 'vitest';
import { NONE } from '@swarmlab/raft';
import { LeaderReadLease, leaderLeaseMs, type LeaseRaft } from '../src/manager/read-lease.js';

const LEASE_MS = 50;

/** A Raft shell whose core state the test sets, with ReadIndex rounds it resolves by hand. */
function fakeRaft() {
  const core = {
    id: 1,
    state: 'leader',
    term: 3,
    leadTransferee: NONE,
    raftLog: { committed: 10, applied: 10 },
    trk: { config: {} as object, voter: true, isVoter: (_id: number) => core.trk.voter },
  };
  const rounds: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const raft: LeaseRaft = {
    node: { raft: core },
    linearizableRead: () => new Promise<void>((resolve, reject) => rounds.push({ resolve, reject })),
  };
  return { core, rounds, raft };
}

function setup() {
  const f = fakeRaft();
  let now = 1_000;
  const lease = new LeaderReadLease(f.raft, LEASE_MS, () => now);
  return {
    ...f,
    lease,
    advance: (ms: number) => (now += ms),
    /** Runs one round to completion, `roundMs` after it was asked for. */
    async confirm(roundMs = 0) {
      const done = lease.confirm();
      now += roundMs;
      f.rounds.shift()!.resolve();
      await done;
    },
  };
}

describe('LeaderReadLease', () => {
  it('holds only after a round confirmed this leader', async () => {
    const t = setup();
    expect(t.lease.holds()).toBe(false);
    await t.confirm();
    expect(t.lease.holds()).toBe(true);
  });

  it('runs from the moment the round was asked for and ends after its duration', async () => {
    const t = setup();
    await t.confirm(20);
    t.advance(LEASE_MS - 20 - 1);
    expect(t.lease.holds()).toBe(true);
    t.advance(1);
    expect(t.lease.holds()).toBe(false);
  });

  it('renews itself in the background once half of it is gone, one round at a time', async () => {
    const t = setup();
    await t.confirm();
    t.advance(LEASE_MS / 2 - 1);
    expect(t.lease.holds()).toBe(true);
    expect(t.rounds).toHaveLength(0);
    t.advance(2);
    expect(t.lease.holds()).toBe(true);
    expect(t.lease.holds()).toBe(true);
    expect(t.rounds).toHaveLength(1);
    t.rounds.shift()!.resolve();
    await new Promise((r) => setImmediate(r));
    // The renewal was asked LEASE_MS / 2 + 1 after the first round: it lasts that much longer.
    t.advance(LEASE_MS / 2);
    expect(t.lease.holds()).toBe(true);
  });

  it('gives no lease when the round fails', async () => {
    const t = setup();
    const done = t.lease.confirm();
    t.rounds.shift()!.reject(new Error('context deadline exceeded'));
    await expect(done).rejects.toThrow('context deadline exceeded');
    expect(t.lease.holds()).toBe(false);
  });

  it('ends with the term or the leadership', async () => {
    const t = setup();
    await t.confirm();
    t.core.state = 'follower';
    expect(t.lease.holds()).toBe(false);
    t.core.state = 'leader';
    t.core.term = 4;
    expect(t.lease.holds()).toBe(false);
  });

  it('gives no lease for a round that saw the term change', async () => {
    const t = setup();
    const done = t.lease.confirm();
    t.core.term = 4;
    t.rounds.shift()!.resolve();
    await done;
    expect(t.lease.holds()).toBe(false);
  });

  it('is not used for the rest of a term in which a leadership transfer was seen', async () => {
    const t = setup();
    await t.confirm();
    t.core.leadTransferee = 2;
    expect(t.lease.holds()).toBe(false);
    // The transfer was given up, but its MsgTimeoutNow may still be on its way.
    t.core.leadTransferee = NONE;
    await t.confirm();
    expect(t.lease.holds()).toBe(false);
    t.core.term = 4;
    await t.confirm();
    expect(t.lease.holds()).toBe(true);
  });

  it('gives no lease for a round asked for during a transfer', async () => {
    const t = setup();
    t.core.leadTransferee = 2;
    const done = t.lease.confirm();
    t.core.leadTransferee = NONE;
    t.rounds.shift()!.resolve();
    await done;
    expect(t.lease.holds()).toBe(false);
  });

  it('ends when the Raft configuration changes or this leader stops being a voter', async () => {
    const t = setup();
    await t.confirm();
    t.core.trk.config = {};
    expect(t.lease.holds()).toBe(false);
    await t.confirm();
    expect(t.lease.holds()).toBe(true);
    t.core.trk.voter = false;
    expect(t.lease.holds()).toBe(false);
  });

  it('does not hold while committed entries are not applied here yet', async () => {
    const t = setup();
    await t.confirm();
    t.core.raftLog.committed = 11;
    expect(t.lease.holds()).toBe(false);
    t.core.raftLog.applied = 11;
    expect(t.lease.holds()).toBe(true);
  });

  it('refuses a duration that is not positive', () => {
    expect(() => new LeaderReadLease(fakeRaft().raft, 0)).toThrow('positive duration');
  });
});

describe('leaderLeaseMs', () => {
  it('is half the election timeout in real milliseconds', () => {
    expect(leaderLeaseMs({ raftTickMs: 10, electionTick: 10 }, { toReal: (ms) => ms })).toBe(50);
    expect(leaderLeaseMs({ raftTickMs: 10, electionTick: 10 }, { toReal: (ms) => ms / 2 })).toBe(25);
  });
});

import { describe, expect, it } from 'vitest';
import { Membership, type MembershipEffect } from '../src/gossip/membership.js';

function setup() {
  let clock = 0;
  const membership = new Membership({ name: 'a', address: '127.0.0.1', port: 7946, meta: null }, () => clock);
  const advance = (ms: number) => (clock += ms);
  const alive = (name: string, incarnation: number, meta: unknown = null) =>
    membership.applyAlive({ type: 'alive', name, address: '127.0.0.2', port: 7946, incarnation, meta });
  return { membership, advance, alive };
}

const events = (effects: MembershipEffect[]) => effects.flatMap((e) => (e.kind === 'event' ? [`${e.event}:${e.member.name}`] : []));
const broadcasts = (effects: MembershipEffect[]) => effects.flatMap((e) => (e.kind === 'broadcast' ? [e.message] : []));

describe('membership rules', () => {
  it('takes a new member, ignores stale alive messages and re-broadcasts what it accepts', () => {
    const { membership, alive } = setup();
    const first = alive('b', 1);
    expect(events(first)).toEqual(['member-up:b']);
    expect(broadcasts(first)).toHaveLength(1);
    expect(alive('b', 1)).toEqual([]);
    expect(alive('b', 0)).toEqual([]);
    expect(events(alive('b', 2, { v: 2 }))).toEqual(['member-update:b']);
    expect(membership.member('b')?.incarnation).toBe(2);
  });

  it('suspects, then declares dead when the suspicion expires unrefuted', () => {
    const { membership, alive } = setup();
    alive('b', 1);
    const suspected = membership.suspect('b');
    expect(events(suspected)).toEqual(['member-suspect:b']);
    expect(suspected).toContainEqual({ kind: 'suspect-timer', name: 'b', incarnation: 1 });
    expect(events(membership.suspicionExpired('b', 1))).toEqual(['member-dead:b']);
    expect(membership.member('b')?.state).toBe('dead');
  });

  it('a refutation (alive with a higher incarnation) cancels the suspicion', () => {
    const { membership, alive } = setup();
    alive('b', 1);
    membership.suspect('b');
    expect(events(alive('b', 2))).toEqual(['member-up:b']);
    expect(membership.suspicionExpired('b', 1)).toEqual([]);
    expect(membership.member('b')?.state).toBe('alive');
  });

  it('refutes accusations against itself by jumping past the accused incarnation', () => {
    const { membership } = setup();
    const effects = membership.applySuspect({ type: 'suspect', name: 'a', incarnation: 5, from: 'b' });
    expect(broadcasts(effects)).toEqual([{ type: 'alive', name: 'a', address: '127.0.0.1', port: 7946, incarnation: 6, meta: null }]);
    expect(membership.self.state).toBe('alive');
    const dead = membership.applyDead({ type: 'dead', name: 'a', incarnation: 6, from: 'b' });
    expect(broadcasts(dead)[0]).toMatchObject({ type: 'alive', incarnation: 7 });
  });

  it('records a member that announced its own death as left', () => {
    const { membership, alive } = setup();
    alive('b', 1);
    expect(events(membership.applyDead({ type: 'dead', name: 'b', incarnation: 2, from: 'b' }))).toEqual(['member-dead:b']);
    expect(membership.member('b')?.state).toBe('left');
  });

  it('treats a remote "dead" from a push/pull as a suspicion only', () => {
    const { membership, alive } = setup();
    alive('b', 1);
    membership.applySync({ name: 'b', address: '127.0.0.2', port: 7946, incarnation: 1, state: 'dead', meta: null });
    expect(membership.member('b')?.state).toBe('suspect');
  });

  it('forgets dead members after the reclaim time', () => {
    const { membership, alive, advance } = setup();
    alive('b', 1);
    membership.applyDead({ type: 'dead', name: 'b', incarnation: 1, from: 'a' });
    expect(membership.reap(1000)).toEqual([]);
    advance(1000);
    expect(membership.reap(1000)).toEqual(['b']);
    expect(membership.member('b')).toBeUndefined();
  });
});

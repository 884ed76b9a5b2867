// The dispatcher's incremental assignments: what an agent is sent when its tasks change, and
// that the status reports it makes itself are not echoed back to it.

import { describe, expect, it } from 'vitest';
import { AssignmentSet, isAssignedTo, mayConcernAgent, tasksEqualStable, type AssignableTask } from '../src/manager/dispatcher/assignments.js';
import { patched, type StoredObject } from '../src/store/memory.js';

type StoredTask = AssignableTask & StoredObject;

function task(id: string, o: { node?: string; state?: string; desired?: string } = {}): StoredTask {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: 'c',
    UpdatedAt: 'u',
    ServiceID: 's',
    Slot: 1,
    Spec: { ContainerSpec: { Image: 'busybox', Args: ['sleep', 'infinity'] } },
    ...(o.node ? { NodeID: o.node } : {}),
    Status: { State: o.state ?? 'assigned', Message: 'm' },
    DesiredState: o.desired ?? 'running',
  };
}

/** The task as the store has it after a patch (Version and UpdatedAt move on too). */
function after(t: StoredTask, set: Record<string, unknown>, index = t.Version.Index + 1): StoredTask {
  return { ...(patched(t, set) as StoredTask), Version: { Index: index }, UpdatedAt: `u${index}` };
}

describe('tasksEqualStable', () => {
  it('ignores Status and Meta, and sees any other change, nested ones too', () => {
    const t = task('a', { node: 'n1' });
    expect(tasksEqualStable(t, after(t, { Status: { State: 'running', Message: 'started' } }))).toBe(true);
    expect(tasksEqualStable(t, after(t, { DesiredState: 'shutdown' }))).toBe(false);
    expect(tasksEqualStable(t, after(t, { 'Spec.ContainerSpec.Image': 'nginx' }))).toBe(false);
    expect(tasksEqualStable(t, after(t, { NetworksAttachments: [] }))).toBe(false);
    // A structurally equal copy (e.g. decoded from a Raft entry) is equal.
    expect(tasksEqualStable(t, structuredClone(t))).toBe(true);
  });
});

describe('isAssignedTo', () => {
  it('takes tasks the scheduler placed on the node, from ASSIGNED on', () => {
    expect(isAssignedTo(task('a', { node: 'n1', state: 'pending' }), 'n1')).toBe(false);
    expect(isAssignedTo(task('a', { node: 'n1', state: 'assigned' }), 'n1')).toBe(true);
    expect(isAssignedTo(task('a', { node: 'n1', state: 'failed' }), 'n1')).toBe(true);
    expect(isAssignedTo(task('a', { node: 'n2' }), 'n1')).toBe(false);
    expect(isAssignedTo(undefined, 'n1')).toBe(false);
  });
});

describe('mayConcernAgent', () => {
  const t = task('a', { node: 'n1', state: 'accepted' });

  it('skips the agent’s own status reports coming back', () => {
    expect(mayConcernAgent('n1', after(t, { Status: { State: 'running' } }), t)).toBe(false);
  });

  it('passes what the manager decides: placement, desired state, deletion, a move', () => {
    const pending = task('a', { state: 'pending' });
    expect(mayConcernAgent('n1', after(pending, { NodeID: 'n1', Status: { State: 'assigned' } }), pending)).toBe(true);
    expect(mayConcernAgent('n1', after(t, { DesiredState: 'shutdown' }), t)).toBe(true);
    expect(mayConcernAgent('n1', undefined, t)).toBe(true);
    expect(mayConcernAgent('n1', after(t, { NodeID: 'n2' }), t)).toBe(true);
    expect(mayConcernAgent('n1', task('b', { node: 'n1' }), undefined)).toBe(true);
  });

  it('passes a global task confirmed on its node (PENDING → ASSIGNED with the same NodeID)', () => {
    const preassigned = task('g', { node: 'n1', state: 'pending' });
    expect(mayConcernAgent('n1', after(preassigned, { Status: { State: 'assigned' } }), preassigned)).toBe(true);
  });

  it('skips changes of tasks that are not the node’s before or after', () => {
    const elsewhere = task('c', { node: 'n2', state: 'running' });
    expect(mayConcernAgent('n1', after(elsewhere, { DesiredState: 'shutdown' }), elsewhere)).toBe(false);
  });
});

describe('AssignmentSet', () => {
  it('starts complete with the node’s assigned tasks only', () => {
    const set = new AssignmentSet<StoredTask>('n1');
    const sent = set.complete([task('a', { node: 'n1' }), task('b', { node: 'n2' }), task('c', { node: 'n1', state: 'pending' }), task('d', { node: 'n1', state: 'running' })]);
    expect(sent.map((t) => t.ID)).toEqual(['a', 'd']);
    expect(set.size).toBe(2);
  });

  it('sends new, changed and ASSIGNED tasks, drops removed ones, and stays quiet about status echoes', () => {
    const set = new AssignmentSet<StoredTask>('n1');
    const running = task('run', { node: 'n1', state: 'running' });
    const stopping = task('stop', { node: 'n1', state: 'running' });
    const leaving = task('gone', { node: 'n1', state: 'complete' });
    const moving = task('move', { node: 'n1', state: 'running' });
    set.complete([running, stopping, leaving, moving]);

    const store = new Map<string, StoredTask>([
      ['run', after(running, { Status: { State: 'running', Message: 'still' } })],
      ['stop', after(stopping, { DesiredState: 'shutdown' })],
      ['move', after(moving, { NodeID: 'n2' })],
      ['new', task('new', { node: 'n1' })],
    ]);
    const diff = set.diff(['run', 'stop', 'gone', 'move', 'new', 'unknown'], (id) => store.get(id));
    expect(diff.updated.map((t) => t.ID).sort()).toEqual(['new', 'stop']);
    expect(diff.removed.sort()).toEqual(['gone', 'move']);
    expect(set.size).toBe(3);

    // Nothing changed since: an empty message. A task still at ASSIGNED is sent again, as SwarmKit does.
    expect(set.diff(['run', 'stop'], (id) => store.get(id))).toEqual({ updated: [], removed: [] });
    expect(set.diff(['new'], (id) => store.get(id)).updated.map((t) => t.ID)).toEqual(['new']);
  });

  it('compares with what it sent, not with the versions it skipped', () => {
    const set = new AssignmentSet<StoredTask>('n1');
    const t = task('a', { node: 'n1', state: 'running' });
    set.complete([t]);
    const echoed = after(t, { Status: { State: 'running', Message: 'again' } });
    expect(set.diff(['a'], () => echoed).updated).toEqual([]);
    const shutdown = after(echoed, { DesiredState: 'shutdown' });
    expect(set.diff(['a'], () => shutdown).updated).toEqual([shutdown]);
  });
});

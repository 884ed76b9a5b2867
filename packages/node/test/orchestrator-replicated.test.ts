import { taskSpecFromServiceSpec } from '@swarmlab/api';
import { describe, expect, it } from 'vitest';
import { toDockerTime } from '../src/clock.js';
import { newTask, reconcileReplicated, type TaskChanges } from '../src/manager/orchestrator/index.js';
import { idGenerator, node, service, T0, task } from './scheduler-fixtures.js';

const nodes = () => [node('n1'), node('n2'), node('n3')];

function desired(changes: TaskChanges): Record<string, unknown> {
  return Object.fromEntries(changes.update.map((u) => [u.id, u.set.DesiredState]));
}

describe('newTask', () => {
  it('makes a task shaped like a real one at creation', () => {
    const s = service('svc1', { replicas: 1 });
    const t = newTask(s, { slot: 2, now: T0, id: 'task1' });
    expect(Object.keys(t)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Labels', 'Spec', 'ServiceID', 'Slot', 'Status', 'DesiredState']);
    expect(t).toMatchObject({
      ID: 'task1',
      Version: { Index: 0 },
      CreatedAt: toDockerTime(T0),
      UpdatedAt: toDockerTime(T0),
      Labels: {},
      ServiceID: 'svc1',
      Slot: 2,
      Status: { Timestamp: toDockerTime(T0), State: 'new', Message: 'created', PortStatus: {} },
      DesiredState: 'running',
    });
    expect(t.Spec).toEqual(taskSpecFromServiceSpec(s.Spec));
    expect('Runtime' in t.Spec).toBe(false);
    // The task's spec is a copy: changing it leaves the service alone.
    t.Spec.ContainerSpec.Image = 'changed';
    expect(s.Spec.TaskTemplate.ContainerSpec.Image).toBe('busybox:local');
  });

  it('gives global tasks their node instead of a slot', () => {
    const t = newTask(service('g', { global: true }), { nodeId: 'n7', now: T0, id: 'x' });
    expect(t.NodeID).toBe('n7');
    expect('Slot' in t).toBe(false);
  });
});

describe('reconcileReplicated: scaling', () => {
  it('creates every replica of a new service, slots from 1', () => {
    const s = service('s', { replicas: 3 });
    const c = reconcileReplicated(s, [], nodes(), T0, idGenerator());
    expect(c.create.map((t) => [t.ID, t.Slot, t.DesiredState, t.Status.State])).toEqual([
      ['new1', 1, 'running', 'new'],
      ['new2', 2, 'running', 'new'],
      ['new3', 3, 'running', 'new'],
    ]);
    expect(c.update).toEqual([]);
    expect(c.remove).toEqual([]);
  });

  it('scales up into the lowest missing slots first', () => {
    const s = service('s', { replicas: 4 });
    const tasks = [task(s, { id: 'a', slot: 1, nodeId: 'n1' }), task(s, { id: 'c', slot: 3, nodeId: 'n2' })];
    expect(reconcileReplicated(s, tasks, nodes(), T0, idGenerator()).create.map((t) => t.Slot)).toEqual([2, 4]);
  });

  it('does nothing when the service has its replicas (it converges)', () => {
    const s = service('s', { replicas: 2 });
    const tasks = [
      task(s, { id: 'a', slot: 1, nodeId: 'n1' }),
      task(s, { id: 'b', slot: 2, nodeId: 'n2' }),
      task(s, { id: 'old', slot: 2, nodeId: 'n2', state: 'failed', desired: 'shutdown' }),
    ];
    const c = reconcileReplicated(s, tasks, nodes(), T0, idGenerator());
    expect(c).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });

  it('scales down from the highest slot when nodes are balanced, setting desired state REMOVE', () => {
    const s = service('s', { replicas: 1 });
    const tasks = [1, 2, 3].map((slot) => task(s, { id: `t${slot}`, slot, nodeId: `n${slot}` }));
    const c = reconcileReplicated(s, tasks, nodes(), T0, idGenerator());
    expect(desired(c)).toEqual({ t2: 'remove', t3: 'remove' });
    expect(c.create).toEqual([]);
  });

  it('scales down on the node with the most copies first', () => {
    const s = service('s', { replicas: 2 });
    const tasks = [
      task(s, { id: 't1', slot: 1, nodeId: 'n1' }),
      task(s, { id: 't2', slot: 2, nodeId: 'n2' }),
      task(s, { id: 't3', slot: 3, nodeId: 'n2' }),
    ];
    expect(desired(reconcileReplicated(s, tasks, nodes(), T0, idGenerator()))).toEqual({ t3: 'remove' });
  });

  it('prefers removing slots whose task is not running', () => {
    const s = service('s', { replicas: 2 });
    const tasks = [
      task(s, { id: 't1', slot: 1, nodeId: 'n1', state: 'preparing' }),
      task(s, { id: 't2', slot: 2, nodeId: 'n2' }),
      task(s, { id: 't3', slot: 3, nodeId: 'n3' }),
    ];
    expect(desired(reconcileReplicated(s, tasks, nodes(), T0, idGenerator()))).toEqual({ t1: 'remove' });
  });

  it('removes unassigned slots before placed ones', () => {
    const s = service('s', { replicas: 1 });
    const pending = task(s, { id: 't2', slot: 2, state: 'pending' });
    delete pending.NodeID;
    const tasks = [task(s, { id: 't1', slot: 1, nodeId: 'n1' }), pending];
    expect(desired(reconcileReplicated(s, tasks, nodes(), T0, idGenerator()))).toEqual({ t2: 'remove' });
  });

  it('stops every task with --replicas 0', () => {
    const s = service('s', { replicas: 0 });
    const tasks = [1, 2].map((slot) => task(s, { id: `t${slot}`, slot, nodeId: 'n1' }));
    const c = reconcileReplicated(s, tasks, nodes(), T0, idGenerator());
    expect(desired(c)).toEqual({ t1: 'remove', t2: 'remove' });
    expect(c.create).toEqual([]);
  });

  it('deletes removed slots once their tasks stopped, and reuses their numbers', () => {
    const s = service('s', { replicas: 1 });
    const tasks = [
      task(s, { id: 't1', slot: 1, nodeId: 'n1' }),
      task(s, { id: 't2', slot: 2, nodeId: 'n1', desired: 'remove', state: 'shutdown' }),
      task(s, { id: 't3', slot: 3, nodeId: 'n1', desired: 'remove', state: 'running' }),
    ];
    const c = reconcileReplicated(s, tasks, nodes(), T0, idGenerator());
    expect(c.remove).toEqual(['t2']); // t3 may still run on its node
    const up = reconcileReplicated(service('s', { replicas: 2 }), tasks, nodes(), T0, idGenerator());
    expect(up.create.map((t) => t.Slot)).toEqual([2]);
    expect(up.remove).toEqual([]); // slot 2's history stays with the new task
  });

  it('creates at most maxNew tasks, lowest slots first, keeping the history of the slots left for later', () => {
    const s = service('s', { replicas: 4 });
    const tasks = [
      task(s, { id: 't1', slot: 1, nodeId: 'n1' }),
      task(s, { id: 't3', slot: 3, nodeId: 'n1', desired: 'remove', state: 'shutdown' }),
    ];
    const c = reconcileReplicated(s, tasks, nodes(), T0, idGenerator(), 1);
    expect(c.create.map((t) => t.Slot)).toEqual([2]);
    expect(c.remove).toEqual([]); // slot 3 is refilled by a later call
    const rest = reconcileReplicated(s, [...tasks, ...c.create], nodes(), T0, idGenerator(), 5);
    expect(rest.create.map((t) => t.Slot)).toEqual([3, 4]);
  });

  it('keeps the slot of a finished task that its policy does not restart', () => {
    const s = service('s', { replicas: 1, restart: { Condition: 'none' } });
    const tasks = [task(s, { id: 't1', slot: 1, nodeId: 'n1', state: 'complete', desired: 'shutdown' })];
    expect(reconcileReplicated(s, tasks, nodes(), T0, idGenerator()).create).toEqual([]);
  });

  it('ignores other services and global services', () => {
    const s = service('s', { replicas: 1 });
    const other = service('o', { replicas: 1 });
    const c = reconcileReplicated(s, [task(other, { id: 'x', slot: 1, nodeId: 'n1' })], nodes(), T0, idGenerator());
    expect(c.create.map((t) => t.ServiceID)).toEqual(['s']);
    expect(reconcileReplicated(service('g', { global: true }), [], nodes(), T0, idGenerator()).create).toEqual([]);
  });
});

describe('reconcileReplicated: invalid nodes', () => {
  it('replaces tasks of a down node at once, in the same slot, after the restart delay', () => {
    const s = service('s', { replicas: 2 });
    const tasks = [task(s, { id: 't1', slot: 1, nodeId: 'n1' }), task(s, { id: 't2', slot: 2, nodeId: 'n2' })];
    const c = reconcileReplicated(s, tasks, [node('n1', { state: 'down' }), node('n2')], T0, idGenerator());
    expect(desired(c)).toEqual({ t1: 'shutdown' });
    expect(c.create.map((t) => [t.ID, t.Slot, t.DesiredState, t.NodeID])).toEqual([['new1', 1, 'ready', undefined]]);
    // The node is down: no waiting for the old task to stop.
    expect(c.delayed).toEqual([{ taskId: 'new1', notBefore: T0 + 5000, since: T0 }]);
    // The fast profile scales that delay, as every restart's.
    const fast = reconcileReplicated(s, tasks, [node('n1', { state: 'down' }), node('n2')], T0, idGenerator(), Infinity, 0.05);
    expect(fast.delayed).toEqual([{ taskId: 'new1', notBefore: T0 + 250, since: T0 }]);
  });

  it('moves tasks off a drained node without delay, waiting for the old task to stop', () => {
    const s = service('s', { replicas: 1 });
    const c = reconcileReplicated(s, [task(s, { id: 't1', slot: 1, nodeId: 'n1' })], [node('n1', { availability: 'drain' })], T0, idGenerator());
    expect(desired(c)).toEqual({ t1: 'shutdown' });
    expect(c.delayed).toEqual([{ taskId: 'new1', notBefore: T0, waitForTaskId: 't1', since: T0 }]);
  });

  it('treats tasks of deleted nodes the same way', () => {
    const s = service('s', { replicas: 1 });
    const c = reconcileReplicated(s, [task(s, { id: 't1', slot: 1, nodeId: 'gone' })], nodes(), T0, idGenerator());
    expect(desired(c)).toEqual({ t1: 'shutdown' });
    expect(c.create).toHaveLength(1);
  });

  it('leaves tasks on paused nodes alone', () => {
    const s = service('s', { replicas: 1 });
    const c = reconcileReplicated(s, [task(s, { id: 't1', slot: 1, nodeId: 'n1' })], [node('n1', { availability: 'pause' })], T0, idGenerator());
    expect(c).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });

  it('does not replace a task whose restart policy says none', () => {
    const s = service('s', { replicas: 1, restart: { Condition: 'none' } });
    const c = reconcileReplicated(s, [task(s, { id: 't1', slot: 1, nodeId: 'n1' })], [node('n1', { state: 'down' })], T0, idGenerator());
    expect(desired(c)).toEqual({ t1: 'shutdown' });
    expect(c.create).toEqual([]);
  });

  it('does not create a replacement for a slot a scale-down removes in the same pass', () => {
    const s = service('s', { replicas: 1 });
    const tasks = [task(s, { id: 't1', slot: 1, nodeId: 'n1' }), task(s, { id: 't2', slot: 2, nodeId: 'n2' })];
    const c = reconcileReplicated(s, tasks, [node('n1'), node('n2', { state: 'down' })], T0, idGenerator());
    expect(c.create).toEqual([]);
    expect(c.delayed).toEqual([]);
    // The old task is shut down as the node is down; its slot goes away with it.
    expect(desired(c)).toEqual({ t2: 'shutdown' });
  });
});

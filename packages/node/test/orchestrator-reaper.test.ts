import { describe, expect, it } from 'vitest';
import { toDockerTime } from '../src/clock.js';
import { NODE_DOWN_PERIOD_MS, orphanTasks, orphanTasksOfRemovedNode, pruneHistory, reapRemovedTasks } from '../src/manager/orchestrator/index.js';
import { node, service, T0, task } from './scheduler-fixtures.js';

describe('pruneHistory', () => {
  const s = service('s', { replicas: 2 });
  // Slot 1: six stopped tasks (oldest first) and the running one.
  const slot1 = [
    ...Array.from({ length: 6 }, (_, i) => task(s, { id: `old${i}`, slot: 1, nodeId: 'n1', state: 'failed', desired: 'shutdown', at: T0 + i * 1000 })),
    task(s, { id: 'live', slot: 1, nodeId: 'n1', at: T0 + 10_000 }),
  ];
  const slot2 = [task(s, { id: 'two', slot: 2, nodeId: 'n1' })];

  it('keeps the retention limit per slot, deleting the oldest stopped tasks', () => {
    expect(pruneHistory(s, [...slot1, ...slot2], 5).sort()).toEqual(['old0', 'old1']);
  });

  it('never deletes a task that is meant to run', () => {
    expect(pruneHistory(s, [...slot1, ...slot2], 1).sort()).toEqual(['old0', 'old1', 'old2', 'old3', 'old4', 'old5']);
  });

  it('keeps everything with a negative limit', () => {
    expect(pruneHistory(s, slot1, -1)).toEqual([]);
  });

  it('keeps MaxAttempts + 1 tasks when the policy limits attempts', () => {
    const limited = service('s', { replicas: 1, restart: { Condition: 'any', MaxAttempts: 2 } });
    expect(pruneHistory(limited, slot1, 5).sort()).toEqual(['old0', 'old1', 'old2', 'old3']);
  });

  it('counts per node for global services', () => {
    const g = service('g', { global: true });
    const tasks = [
      ...[0, 1, 2].map((i) => task(g, { id: `a${i}`, nodeId: 'n1', state: 'failed', desired: 'shutdown', at: T0 + i })),
      task(g, { id: 'a-live', nodeId: 'n1', at: T0 + 10 }),
      task(g, { id: 'b-live', nodeId: 'n2' }),
    ];
    expect(pruneHistory(g, tasks, 2).sort()).toEqual(['a0', 'a1']);
  });

  it('deletes scaled-away tasks once stopped or if never assigned, whatever the limit', () => {
    const removed = [
      task(s, { id: 'stopped', slot: 3, nodeId: 'n1', state: 'shutdown', desired: 'remove' }),
      task(s, { id: 'running', slot: 4, nodeId: 'n1', state: 'running', desired: 'remove' }),
      task(s, { id: 'pending', slot: 5, state: 'pending', desired: 'remove' }),
    ];
    expect(pruneHistory(s, removed, -1).sort()).toEqual(['pending', 'stopped']);
    expect(reapRemovedTasks(removed).sort()).toEqual(['pending', 'stopped']);
  });
});

describe('orphanTasks', () => {
  const s = service('s', { replicas: 3 });
  const tasks = [
    task(s, { id: 'running', slot: 1, nodeId: 'n1', desired: 'shutdown' }),
    task(s, { id: 'assigned', slot: 2, nodeId: 'n1', state: 'assigned', desired: 'shutdown' }),
    task(s, { id: 'failed', slot: 3, nodeId: 'n1', state: 'failed', desired: 'shutdown' }),
    task(s, { id: 'elsewhere', slot: 1, nodeId: 'n2' }),
  ];

  it('orphans tasks that may still run on a node down for 24 hours', () => {
    const down = node('n1', { state: 'down', updatedAt: T0 });
    expect(orphanTasks(tasks, [down, node('n2')], T0 + NODE_DOWN_PERIOD_MS - 1).update).toEqual([]);
    expect(orphanTasks(tasks, [down, node('n2')], T0 + NODE_DOWN_PERIOD_MS).update).toEqual([
      { id: 'running', set: { 'Status.State': 'orphaned' } },
      { id: 'assigned', set: { 'Status.State': 'orphaned' } },
    ]);
  });

  it('takes the time the node went down from downSince when given', () => {
    const down = node('n1', { state: 'down', updatedAt: T0 });
    const since = new Map([['n1', T0 + 1000]]);
    expect(orphanTasks(tasks, [down], T0 + NODE_DOWN_PERIOD_MS, since).update).toEqual([]);
  });

  it('orphans the unfinished tasks of a removed node at once, with SwarmKit message', () => {
    const c = orphanTasksOfRemovedNode(tasks, 'n1', T0);
    expect(c.update.map((u) => u.id)).toEqual(['running', 'assigned']);
    expect(c.update[0].set).toEqual({
      Status: { Timestamp: toDockerTime(T0), State: 'orphaned', Message: 'Task belonged to a node that has been deleted', PortStatus: {} },
    });
  });
});

// The leader's reconciliation rounds over a real store (no Raft: decisions apply at once): a big
// service is created in bounded rounds, spread over the nodes, and rounds that only record
// status reports decide nothing.

import type { Task, TaskState } from '@swarmlab/api';
import { describe, expect, it } from 'vitest';
import type { ManagerContext } from '../src/manager/context.js';
import { deferNewTasks, MAX_NEW_TASKS_PER_ROUND, Orchestration } from '../src/manager/orchestration.js';
import { emptyChanges } from '../src/manager/orchestrator/index.js';
import { PROFILES } from '../src/profile.js';
import { Reservations } from '../src/manager/allocator/reservations.js';
import type { StoredObject } from '../src/store/memory.js';
import { service, task, T0 } from './scheduler-fixtures.js';
import { slowCluster } from './helpers/slow-raft.js';
import { storeWithNodes } from './helpers/direct-store.js';

function cluster(nodeCount: number) {
  const { store, clock, apply } = storeWithNodes(nodeCount);
  const ctx = { store, clock, profile: PROFILES.fast, nodeId: 'n1', log: () => undefined, reservations: new Reservations() } as unknown as ManagerContext;
  const orchestration = new Orchestration(ctx);
  /** Runs rounds until one decides nothing; returns the number of changes of each round. */
  const settle = (): number[] => {
    const sizes: number[] = [];
    for (;;) {
      const { changes } = orchestration.decide();
      if (changes.length === 0) return sizes;
      sizes.push(changes.length);
      apply(changes);
    }
  };
  const tasks = () => store.list<Task & StoredObject>('task');
  return { store, apply, settle, tasks };
}

describe('orchestration rounds', () => {
  it('creates a big service in rounds of at most MAX_NEW_TASKS_PER_ROUND new tasks, every slot placed', () => {
    const c = cluster(7);
    c.apply([{ action: 'create', table: 'service', object: service('s', { replicas: 450 }) as unknown as StoredObject }]);
    const rounds = c.settle();
    expect(rounds.length).toBe(Math.ceil(450 / MAX_NEW_TASKS_PER_ROUND));
    expect(Math.max(...rounds)).toBeLessThanOrEqual(MAX_NEW_TASKS_PER_ROUND);
    const tasks = c.tasks();
    expect(tasks.map((t) => t.Slot).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(tasks.every((t) => t.Status.State === 'assigned' && t.NodeID)).toBe(true);
    // Spread as evenly as the nodes allow: 450 over 7 nodes is 64 or 65 each.
    const perNode = new Map<string, number>();
    for (const t of tasks) perNode.set(t.NodeID!, (perNode.get(t.NodeID!) ?? 0) + 1);
    expect([...perNode.values()].sort()).toEqual([64, 64, 64, 64, 64, 65, 65]);
  });

  it('decides nothing for status reports of tasks that run as they should', () => {
    const c = cluster(3);
    c.apply([{ action: 'create', table: 'service', object: service('s', { replicas: 6 }) as unknown as StoredObject }]);
    c.settle();
    for (const state of ['accepted', 'preparing', 'ready', 'starting', 'running'] as TaskState[]) {
      c.apply(c.tasks().map((t) => ({ action: 'patch', table: 'task', id: t.ID, set: { Status: { ...t.Status, State: state } } })));
      expect(c.settle()).toEqual([]);
    }
    expect(c.tasks().every((t) => t.Status.State === 'running')).toBe(true);
  });
});

describe('the orchestration loop', () => {
  it('pipelines creation rounds without creating a slot twice, even when commits are slow', async () => {
    const c = slowCluster(5);
    const orchestration = new Orchestration(c.ctx);
    orchestration.start();
    try {
      c.apply([{ action: 'create', table: 'service', object: service('s', { replicas: 650 }) as unknown as StoredObject }]);
      while (c.store.list('task').length < 650 || c.busy()) await new Promise((r) => setTimeout(r, 10));
    } finally {
      orchestration.stop();
    }
    await c.settled();
    const slots = c.store.list<Task & StoredObject>('task').map((t) => t.Slot);
    expect(slots.length).toBe(650);
    expect(new Set(slots).size).toBe(650);
    expect(c.mostInFlight()).toBeGreaterThan(1);
  });
});

describe('deferNewTasks', () => {
  const s = service('s', { replicas: 5 });

  it('keeps the first new instances and every replacement waiting with desired READY', () => {
    const changes = emptyChanges();
    changes.create = [1, 2, 3, 4].map((slot) => task(s, { id: `new${slot}`, slot, state: 'new' }));
    const replacement = task(s, { id: 'restart', slot: 5, state: 'new', desired: 'ready' });
    changes.create.push(replacement);
    changes.delayed = [{ taskId: 'restart', notBefore: T0, since: T0 }, { taskId: 'new4', notBefore: T0, since: T0 }];
    deferNewTasks(changes, 2);
    expect(changes.create.map((t) => t.ID)).toEqual(['new1', 'new2', 'restart']);
    expect(changes.delayed).toEqual([{ taskId: 'restart', notBefore: T0, since: T0 }]);
  });

  it('leaves a round within the limit alone', () => {
    const changes = emptyChanges();
    changes.create = [task(s, { id: 'a', slot: 1, state: 'new' })];
    deferNewTasks(changes, 1);
    expect(changes.create.map((t) => t.ID)).toEqual(['a']);
  });
});
